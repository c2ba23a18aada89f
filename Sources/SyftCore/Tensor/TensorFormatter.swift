// A port of PyTorch's tensor printing (torch/_tensor_str.py, PyTorch 2.13) for
// strided CPU tensors with the default print options.

/// PyTorch's default print options (`torch._tensor_str.PRINT_OPTS`).
enum TensorPrintOptions {
    static let precision = 4
    static let threshold = 1000
    static let edgeitems = 3
    static let linewidth = 80
}

/// Formats a tensor's values as PyTorch prints them.
/// - shape: the tensor's shape ([] for a 0-d tensor).
/// - element: returns the element at a flat row-major index as Double (bool: 0 or 1; int64 values
///   converted; float32 values exactly widened). It is only called for the elements that are printed
///   (a 16M-element tensor must format fast: only edge items are read when summarizing).
/// - suffixes: extra key=value items PyTorch appends, given by the caller in order, e.g.
///   ["requires_grad=True"] or ["grad_fn=<AddBackward0>"]. The formatter itself adds
///   `dtype=torch.float64` (and size=(...) for empty tensors) where PyTorch does, in PyTorch's order.
package func formatTensor(
    shape: [Int],
    dtype: DType,
    suffixes: [String] = [],
    element: (Int) -> Double
) -> String {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
    let prefix = "tensor("
    let numel = shape.reduce(1, *)
    var allSuffixes: [String] = []
    let body: String
    if numel == 0 {
        // `_str_intern`: the shape is shown unless it is (0,); the dtype unless it is the default float32.
        if shape.count != 1 { allSuffixes.append("size=" + pythonTuple(shape)) }
        if dtype != .float32 { allSuffixes.append("dtype=torch.\(dtype.rawValue)") }
        body = "[]"
    } else {
        // float32, int64 and bool are "default" dtypes; only float64 is spelled out.
        if dtype == .float64 { allSuffixes.append("dtype=torch.float64") }
        let printed = PrintedElements(shape: shape, element: element)
        let formatter = ElementFormatter(values: printed.values, dtype: dtype)
        body = printed.render(with: formatter, indent: prefix.count)
    }
    return addSuffixes(prefix + body, allSuffixes + suffixes, indent: prefix.count)
}

/// The elements PyTorch actually prints (`get_summarized_data`), read once in row-major order.
///
/// When the tensor has more than `threshold` elements, every dimension longer than
/// `2 * edgeitems` keeps only its first and last `edgeitems` indices.
private struct PrintedElements {
    let shape: [Int]
    /// Kept indices per dimension.
    let kept: [[Int]]
    /// Values of the kept elements, row-major over `kept`.
    let values: [Double]

    init(shape: [Int], element: (Int) -> Double) {
        let summarize = shape.reduce(1, *) > TensorPrintOptions.threshold
        let edge = TensorPrintOptions.edgeitems
        let kept = shape.map { size in
            summarize && size > 2 * edge ? Array(0..<edge) + Array((size - edge)..<size) : Array(0..<size)
        }
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in shape.indices.reversed().dropFirst() {
            strides[axis] = strides[axis + 1] * shape[axis + 1]
        }
        // Flat offsets of the cartesian product of kept indices, built one axis at a time.
        var offsets = [0]
        for axis in shape.indices {
            offsets = offsets.flatMap { base in kept[axis].map { base + $0 * strides[axis] } }
        }
        self.shape = shape
        self.kept = kept
        self.values = offsets.map(element)
    }

    /// `_tensor_str_with_formatter`: nested brackets, `...` rows and wrapped vectors.
    func render(with formatter: ElementFormatter, indent: Int) -> String {
        if shape.isEmpty { return formatter.format(values[0]) }
        return render(axis: 0, offset: 0, indent: indent, formatter: formatter)
    }

    private func render(axis: Int, offset: Int, indent: Int, formatter: ElementFormatter) -> String {
        let count = kept[axis].count
        let summarized = count < shape[axis]
        if axis == shape.count - 1 {
            // `_vector_str`: the " ..." marker counts as one element when wrapping lines.
            var data = (0..<count).map { formatter.format(values[offset + $0]) }
            if summarized { data.insert(" ...", at: TensorPrintOptions.edgeitems) }
            let elementLength = formatter.width + 2
            let perLine = max(1, (TensorPrintOptions.linewidth - indent) / elementLength)
            let lines = stride(from: 0, to: data.count, by: perLine).map {
                data[$0..<min($0 + perLine, data.count)].joined(separator: ", ")
            }
            return "[" + lines.joined(separator: ",\n" + spaces(indent + 1)) + "]"
        }
        let blockSize = kept[(axis + 1)...].reduce(1) { $0 * $1.count }
        var slices = (0..<count).map {
            render(axis: axis + 1, offset: offset + $0 * blockSize, indent: indent + 1, formatter: formatter)
        }
        if summarized { slices.insert("...", at: TensorPrintOptions.edgeitems) }
        let newlines = String(repeating: "\n", count: shape.count - axis - 1)
        return "[" + slices.joined(separator: "," + newlines + spaces(indent + 1)) + "]"
    }
}

/// `torch._tensor_str._Formatter`: chooses int/scientific/fixed notation and a common width
/// from the printed elements, then right-aligns every element to that width.
private struct ElementFormatter {
    let dtype: DType
    /// Floats only: every nonzero finite value is integral (printed as `1.`).
    private(set) var intMode = true
    /// Floats only: values are printed as `1.2345e+04`.
    private(set) var sciMode = false
    /// Width every element is padded to.
    private(set) var width = 1

    init(values: [Double], dtype: DType) {
        self.dtype = dtype
        switch dtype {
        case .int64, .bool:
            width = values.reduce(1) { max($0, Self.plainText($1, dtype: dtype).count) }
        case .float32, .float64:
            let finite = values.filter { $0.isFinite && $0 != 0 }
            guard !finite.isEmpty else { return }
            let magnitudes = finite.map(\.magnitude)
            let minimum = magnitudes.min()!
            let maximum = magnitudes.max()!
            intMode = finite.allSatisfy { $0 == $0.rounded(.up) }
            sciMode = maximum / minimum > 1000.0 || maximum > 1.0e8 || minimum < 1.0e-4
            let precision = TensorPrintOptions.precision
            for value in finite {
                let length: Int
                if sciMode {
                    length = PythonFloatFormat.scientific(value, precision: precision).count
                } else if intMode {
                    length = PythonFloatFormat.fixed(value, precision: 0).count + 1  // room for "."
                } else {
                    length = PythonFloatFormat.fixed(value, precision: precision).count
                }
                width = max(width, length)
            }
        }
    }

    /// `_Formatter.format`: one element, left-padded to `width`.
    func format(_ value: Double) -> String {
        let text: String
        switch dtype {
        case .int64, .bool:
            text = Self.plainText(value, dtype: dtype)
        case .float32, .float64:
            if sciMode {
                text = PythonFloatFormat.scientific(value, precision: TensorPrintOptions.precision)
            } else if intMode {
                text = PythonFloatFormat.fixed(value, precision: 0) + (value.isFinite ? "." : "")
            } else {
                text = PythonFloatFormat.fixed(value, precision: TensorPrintOptions.precision)
            }
        }
        return spaces(width - text.count) + text
    }

    /// `f"{value}"` of a Python int or bool.
    private static func plainText(_ value: Double, dtype: DType) -> String {
        if dtype == .bool { return value != 0 ? "True" : "False" }
        return PythonFloatFormat.integer(value)
    }
}

/// `_add_suffixes`: appends `, key=value` items, wrapping to a new line indented by `indent`
/// when the current line would exceed the line width.
private func addSuffixes(_ tensorText: String, _ suffixes: [String], indent: Int) -> String {
    var result = tensorText
    // PyTorch computes `len(s) - s.rfind("\n") + 1`, i.e. the last line's length plus 2.
    let lastLine = tensorText.split(separator: "\n", omittingEmptySubsequences: false).last ?? ""
    var lastLineLength = lastLine.unicodeScalars.count + 2
    for suffix in suffixes {
        let suffixLength = suffix.unicodeScalars.count
        if lastLineLength + suffixLength + 2 > TensorPrintOptions.linewidth {
            result += ",\n" + spaces(indent) + suffix
            lastLineLength = indent + suffixLength
        } else {
            result += ", " + suffix
            lastLineLength += suffixLength + 2
        }
    }
    return result + ")"
}

/// Python's `str(tuple(shape))`: `(2, 0, 4)`, `(0,)`, `()`.
private func pythonTuple(_ shape: [Int]) -> String {
    let items = shape.map(String.init).joined(separator: ", ")
    return "(" + items + (shape.count == 1 ? ",)" : ")")
}

private func spaces(_ count: Int) -> String {
    String(repeating: " ", count: max(0, count))
}
