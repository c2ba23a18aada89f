import Foundation
import SyftCore

// Note [Checkpoints as safetensors]
// A checkpoint is a safetensors file (https://github.com/huggingface/safetensors): an 8-byte
// little-endian header length, a JSON header mapping each tensor's name to its dtype, shape and byte
// range, then the raw little-endian data. PyTorch (`safetensors.torch.load_file`) and the Hugging Face
// tools read it; names are the module's `state_dict` names. Reading never trusts the file: the header
// length, the JSON, every dtype, shape and byte range are checked before any tensor is built.

/// Reads and writes named tensors in the safetensors format.
public enum SafeTensors {
    /// The largest header accepted (as the reference implementation: 100 MB).
    static let maxHeaderBytes = 100_000_000

    /// Writes `tensors` (local) to `path` in safetensors format; `metadata` goes to `__metadata__`.
    public static func save(
        _ tensors: [(String, Tensor)], to path: String, metadata: [String: String] = [:]
    ) throws(DataError) {
        var header: [String: Any] = [:]
        var offset = 0
        var blobs: [Data] = []
        for (name, t) in tensors {
            precondition(t.isLocal, "safetensors: tensor '\(name)' is remote; get() it first")
            let bytes = rawBytes(t)
            header[name] = [
                "dtype": code(t.dtype), "shape": t.shape, "data_offsets": [offset, offset + bytes.count],
            ]
            offset += bytes.count
            blobs.append(bytes)
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json: Data
        do {
            json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        } catch {
            throw .unreadable(path, reason: "cannot encode the header: \(error)")
        }
        while json.count % 8 != 0 { json.append(0x20) }  // pad with spaces so the data is 8-byte aligned
        var file = Data()
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { file.append(contentsOf: $0) }
        file.append(json)
        for b in blobs { file.append(b) }
        do {
            try file.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .unreadable(path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    /// Reads every tensor of the safetensors file at `path`, in file order of their data.
    /// - Throws: ``DataError`` when the file is missing, truncated or malformed.
    public static func load(from path: String) throws(DataError) -> [(String, Tensor)] {
        try loadWithMetadata(from: path).tensors
    }

    /// Reads every tensor of the safetensors file at `path` and its `__metadata__` (string to string, as
    /// the format specifies; empty when absent).
    ///
    /// ```swift
    /// let (tensors, metadata) = try SafeTensors.loadWithMetadata(from: "model.safetensors")
    /// metadata["format"]   // "pt" for files saved by PyTorch's safetensors
    /// ```
    /// - Throws: ``DataError`` when the file is missing, truncated or malformed.
    public static func loadWithMetadata(
        from path: String
    ) throws(DataError) -> (
        tensors: [(String, Tensor)], metadata: [String: String]
    ) {
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path) }
        let file: Data
        do {
            file = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path, reason: error.localizedDescription)
        }
        guard file.count >= 8 else {
            throw .invalidCheckpoint(
                path, reason: "the file is \(file.count) bytes, shorter than its header length")
        }
        let headerLength = file.prefix(8).enumerated().reduce(UInt64(0)) {
            $0 | UInt64($1.element) << (8 * UInt64($1.offset))
        }
        guard headerLength <= UInt64(maxHeaderBytes), 8 + Int(headerLength) <= file.count else {
            throw .invalidCheckpoint(
                path, reason: "the header length \(headerLength) exceeds the file (\(file.count) bytes)")
        }
        let headerData = file.subdata(in: 8..<(8 + Int(headerLength)))
        guard let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw .invalidCheckpoint(path, reason: "the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let strings = raw as? [String: String] else {
                throw .invalidCheckpoint(path, reason: "__metadata__ is not an object of strings")
            }
            metadata = strings
        }
        let dataStart = 8 + Int(headerLength)
        let dataLength = file.count - dataStart
        var entries: [(String, Tensor, Int)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], let dtypeCode = info["dtype"] as? String,
                let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int],
                offsets.count == 2
            else {
                throw .invalidCheckpoint(path, reason: "entry '\(name)' lacks dtype, shape or data_offsets")
            }
            guard let dtype = dtype(code: dtypeCode) else {
                throw .invalidCheckpoint(path, reason: "entry '\(name)' has unsupported dtype \(dtypeCode)")
            }
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1],
                offsets[1] <= dataLength
            else {
                throw .invalidCheckpoint(
                    path,
                    reason:
                        "entry '\(name)' has data_offsets \(offsets) outside the \(dataLength) data bytes (truncated file?)"
                )
            }
            let count = shape.reduce(1) {
                $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1
            }
            guard count != Int.max, count * dtype.byteSize == offsets[1] - offsets[0] else {
                throw .invalidCheckpoint(
                    path,
                    reason:
                        "entry '\(name)': shape \(shape) of \(dtypeCode) does not match its \(offsets[1] - offsets[0]) bytes"
                )
            }
            let bytes = file.subdata(in: (dataStart + offsets[0])..<(dataStart + offsets[1]))
            entries.append((name, tensor(from: bytes, shape: shape, dtype: dtype), offsets[0]))
        }
        return (entries.sorted { $0.2 < $1.2 }.map { ($0.0, $0.1) }, metadata)
    }

    static func code(_ dtype: DType) -> String {
        switch dtype {
        case .float32: return "F32"
        case .float64: return "F64"
        case .int64: return "I64"
        case .bool: return "BOOL"
        }
    }

    static func dtype(code: String) -> DType? {
        switch code {
        case "F32": return .float32
        case "F64": return .float64
        case "I64": return .int64
        case "BOOL": return .bool
        default: return nil
        }
    }

    static func rawBytes(_ t: Tensor) -> Data {
        switch t.dtype {
        case .float32: return t.scalars(as: Float.self).withUnsafeBytes { Data($0) }
        case .float64: return t.scalars(as: Double.self).withUnsafeBytes { Data($0) }
        case .int64: return t.scalars(as: Int64.self).withUnsafeBytes { Data($0) }
        case .bool: return Data(t.scalars(as: Bool.self).map { $0 ? 1 : 0 })
        }
    }

    static func tensor(from bytes: Data, shape: [Int], dtype: DType) -> Tensor {
        bytes.withUnsafeBytes { raw -> Tensor in
            switch dtype {
            case .float32:
                return Tensor(shape: shape, scalars: Array(raw.bindMemory(to: Float.self)), dtype: .float32)
            case .float64:
                return Tensor(shape: shape, scalars: Array(raw.bindMemory(to: Double.self)), dtype: .float64)
            case .int64:
                return Tensor(shape: shape, scalars: Array(raw.bindMemory(to: Int64.self)), dtype: .int64)
            case .bool: return Tensor(shape: shape, scalars: raw.map { $0 != 0 }, dtype: .bool)
            }
        }
    }
}

extension Module {
    /// Saves the parameters to a safetensors file under their `state_dict` names.
    ///
    /// ```swift
    /// try model.save(to: "model.safetensors")
    /// ```
    public func save(to path: String, metadata: [String: String] = [:]) throws(DataError) {
        try SafeTensors.save(
            namedParameters().map { ($0.0, $0.1.value.detached()) }, to: path, metadata: metadata)
    }

    /// Loads parameters saved by ``save(to:metadata:)`` (or by PyTorch's safetensors) into this model.
    /// Nothing is changed unless every parameter is found with the right shape and dtype.
    /// - Throws: ``DataError`` naming the missing, unexpected or mismatched tensors.
    public func load(from path: String) throws(DataError) {
        let stored = Dictionary(try SafeTensors.load(from: path), uniquingKeysWith: { a, _ in a })
        let params = namedParameters()
        var updates: [(Parameter, Tensor)] = []
        for (name, p) in params {
            guard let t = stored[name] else {
                throw .mismatch(
                    path,
                    reason:
                        "the checkpoint has no tensor '\(name)' (it has: \(stored.keys.sorted().joined(separator: ", ")))"
                )
            }
            guard t.shape == p.value.shape else {
                throw .mismatch(
                    path, reason: "tensor '\(name)' has shape \(t.shape), the model expects \(p.value.shape)")
            }
            updates.append((p, t.to(p.value.dtype)))
        }
        let expected = Set(params.map(\.0))
        if let extra = stored.keys.sorted().first(where: { !expected.contains($0) }) {
            throw .mismatch(path, reason: "the checkpoint has a tensor '\(extra)' the model does not have")
        }
        for (p, t) in updates {
            var v = t
            v.requiresGrad = p.value.requiresGrad
            p.value = v
        }
    }
}
