//! `cargo run --release --manifest-path bench/Cargo.toml --bin gen-corpus -- DIR FILES [SEED]`
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: gen-corpus DIR FILES [SEED]");
        std::process::exit(2);
    }
    let files: usize = args[2].parse().expect("FILES is a number");
    let seed: u64 = args.get(3).map_or(42, |s| s.parse().expect("SEED is a number"));
    let bytes = mcaccess_bench::write_repo(std::path::Path::new(&args[1]), files, seed).expect("writing the corpus");
    eprintln!("{files} files, {bytes} bytes of SQL in {}", args[1]);
}
