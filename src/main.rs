fn main() -> std::process::ExitCode {
    mcaccess::cli::main()
}
