/// The command line of syft-bench.
struct Options {
    /// Run the cases whose name contains this; all when empty.
    var filter = ""
    /// Where the JSON report goes.
    var jsonPath = ".build/bench/latest.json"
    /// Whether to run the Python anchors (NumPy, PyTorch).
    var python = true
    /// Print the selected case names and exit.
    var list = false
    /// Print the usage and exit.
    var help = false

    /// A command-line mistake, with the message to print.
    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    /// Parses the arguments (without the program name). Accepts `--flag value` and `--flag=value`.
    static func parse(_ arguments: [String]) throws(UsageError) -> Options {
        var options = Options()
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            var flag = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let eq = argument.firstIndex(of: "=") {
                flag = String(argument[..<eq])
                inlineValue = String(argument[argument.index(after: eq)...])
            }
            func value() throws(UsageError) -> String {
                if let inlineValue { return inlineValue }
                guard let next = rest.popFirst() else {
                    throw UsageError(description: "\(flag) needs a value")
                }
                return next
            }
            switch flag {
            case "--filter": options.filter = try value()
            case "--json": options.jsonPath = try value()
            case "--no-python": options.python = false
            case "--list": options.list = true
            case "-h", "--help": options.help = true
            default: throw UsageError(description: "unknown argument \(argument)")
            }
        }
        if options.jsonPath.isEmpty { throw UsageError(description: "--json needs a path") }
        return options
    }
}
