import Foundation
import SyftCore
import SyftNN
import XCTest

/// The `__metadata__` of safetensors files: written by `save`, read back by `loadWithMetadata`.
final class SafeTensorsMetadataTests: XCTestCase {
    func testMetadataRoundTrip() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("meta-\(UUID()).safetensors")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = Linear(3, 2, generator: Generator(seed: 0))
        try model.save(to: path, metadata: ["job": "{\"epochs\": 3}", "format": "pt"])
        let (tensors, metadata) = try SafeTensors.loadWithMetadata(from: path)
        XCTAssertEqual(metadata, ["job": "{\"epochs\": 3}", "format": "pt"])
        XCTAssertEqual(tensors.map(\.0), ["weight", "bias"])
        XCTAssertEqual(try SafeTensors.load(from: path).count, 2)
    }

    func testMetadataThatIsNotStringsIsRejected() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("meta-\(UUID()).safetensors")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var header = Data(#"{"__metadata__": {"n": 3}}"#.utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var file = Data()
        var length = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &length) { file.append(contentsOf: $0) }
        file.append(header)
        try file.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SafeTensors.loadWithMetadata(from: path)) { error in
            XCTAssertTrue("\(error)".contains("__metadata__ is not an object of strings"), "\(error)")
        }
    }
}
