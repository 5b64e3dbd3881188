//! `petitio doctor`: one line per check (`ok`, `warn`, `FAIL`) on stdout, each problem's fix
//! under it; a failed check is the command's error.

use crate::doctor::{doctor, DoctorOptions, Verdict};
use crate::error::Error;

pub fn run(opts: DoctorOptions) -> Result<(), Error> {
    let report = doctor(&opts)?;
    println!("petitio doctor: {}", report.page);
    for finding in &report.findings {
        let verdict = match finding.verdict {
            Verdict::Ok => "ok",
            Verdict::Warn => "warn",
            Verdict::Fail => "FAIL",
        };
        println!("{verdict}: {}: {}", finding.check, finding.text);
        if let Some(fix) = &finding.fix {
            println!("  fix: {fix}");
        }
    }
    report.passed()
}
