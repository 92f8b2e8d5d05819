/// mimalloc instead of the system allocator: `check` allocates a few hundred thousand small
/// values per 2,000 files across both cores, and glibc's malloc spent about a fifth of its
/// instructions on them (BENCHMARKS.md). `.cargo/config.toml` builds it with arenas committed
/// on demand, so peak memory stays what the work holds.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    mcaccess::cli::main()
}
