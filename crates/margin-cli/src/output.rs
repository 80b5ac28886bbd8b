//! The command's own standard output. The program runs natively in this process (program-test), where
//! `msg!` prints every log line with `println!`; while a simulation runs, file descriptor 1 points at
//! /dev/null and the command writes to a duplicate of the real standard output.
use std::fs::File;
use std::io::Write;
use std::os::fd::FromRawFd;

/// Where the command's lines go.
pub struct Output {
    file: File,
}

impl Output {
    /// Moves stdout aside: the program's prints are dropped, ours go to the real stdout. Falls back to plain
    /// stdout (with the program's lines) if the descriptors cannot be duplicated.
    pub fn without_program_logs() -> Output {
        // SAFETY: dup/open/dup2 on descriptors this process owns; the duplicate is owned by the File below.
        unsafe {
            let saved = libc::dup(1);
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
            if saved >= 0 && null >= 0 && libc::dup2(null, 1) >= 0 {
                libc::close(null);
                return Output { file: File::from_raw_fd(saved) };
            }
            Output { file: File::from_raw_fd(libc::dup(1)) }
        }
    }

    /// Writes one line (a failed write to stdout is ignored: there is nowhere to report it).
    pub fn line(&mut self, text: &str) {
        let _ = writeln!(self.file, "{text}");
    }
}
