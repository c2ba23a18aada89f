// syft-bench: the benchmark table behind `make bench` (PERFORMANCE.md).
//
//     syft-bench [--filter SUBSTRING] [--json PATH] [--no-python] [--list]
//
// Runs every case whose name contains SUBSTRING (all when empty), runs the Python anchors those cases
// need (NumPy with `python3` or $SYFT_NUMPY_PYTHON; PyTorch only with $SYFT_TORCH_PYTHON), prints one
// table on stdout (progress goes to stderr), and writes the JSON to PATH (default
// .build/bench/latest.json).

#if canImport(Glibc)
    import Glibc
#endif

let usage = """
    usage: syft-bench [--filter SUBSTRING] [--json PATH] [--no-python] [--list]
      --filter SUBSTRING  run only the cases whose name contains SUBSTRING (all when empty)
      --json PATH         where to write the JSON report (default: .build/bench/latest.json)
      --no-python         run no Python anchor (NumPy, PyTorch); their columns stay empty
      --list              print the case names and exit
    environment: SYFT_NUMPY_PYTHON (default python3), SYFT_TORCH_PYTHON (default: no PyTorch anchor)
    """

// Anchor servers run as child processes of this executable (Note [Network anchors]).
if CommandLine.arguments.dropFirst().first == "--serve-echo" { try await serveEcho() }
if CommandLine.arguments.dropFirst().first == "--serve-tcp" { serveTCP() }

let options: Options
do {
    options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    note("\(error)\n\(usage)")
    exit(2)
}
if options.help {
    print(usage)
    exit(0)
}

let allCases = coreCases() + blasCases() + autogradCases() + nnCases() + remoteCases() + networkCases()
let selected = allCases.filter { options.filter.isEmpty || $0.name.contains(options.filter) }
if options.list {
    for c in selected { print(c.name) }
    exit(0)
}
if selected.isEmpty {
    note("no case matches \"\(options.filter)\"; --list shows them")
    exit(1)
}

let runner = Runner(harness: Harness(), runsPython: options.python)
let rows = runner.run(selected)
print(renderTable(rows))

let json = renderJSON(rows, machine: machineDescription(), date: isoDate())
do {
    try writeFile(json, to: options.jsonPath)
    note("wrote \(options.jsonPath)")
} catch {
    note("could not write \(options.jsonPath): \(error)")
    exit(1)
}
