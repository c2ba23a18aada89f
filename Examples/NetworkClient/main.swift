// A researcher's program: it connects to the data owner's worker (see NetworkWorker), finds the digits
// by tag, and computes on them where they are. Only the results it asks for come back.
import Foundation
import Syft

let token = try String(contentsOfFile: "worker-token.txt", encoding: .utf8)
let hospital = try NetworkWorker(id: "hospital", host: "127.0.0.1", port: 7001, token: token)

guard let digits = try hospital.search("#digits").first else { fatalError("no #digits on the worker") }
print("found", digits, "of shape", digits.shape)

let meanPixel = digits.mean(squeezingAxes: 0)  // computed on the worker
print("mean image (only this aggregate comes back):", try meanPixel.get().reshaped(to: [8, 8]))

do {
    _ = try digits.get()
} catch {
    print("fetching the raw data is refused:", error)
}
