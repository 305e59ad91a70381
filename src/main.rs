fn main() {
    std::process::exit(doforge::cli::main());
}
