//! `petitio`: the command-line entry point.
fn main() {
    println!("petitio");
}
