// A data owner's worker process: it holds the digits and serves them over gRPC. Clients may compute on
// the data and find it by its tag, but not fetch it. Stop it with Ctrl-C.
import Foundation
import Syft

let token = makeWorkerToken()
try token.write(toFile: "worker-token.txt", atomically: true, encoding: .utf8)

let data = try TabularData(csv: "Data/digits.csv", target: "label")
let server = WorkerServer(id: "hospital", configuration: .init(host: "127.0.0.1", port: 7001, token: token))
server.runtime.register(
    data.features, tags: ["#digits"], description: "8x8 handwritten digits", allowGet: false)
server.runtime.register(data.classLabels(), tags: ["#digits_labels"], allowGet: false)

let port = try await server.start()
print("worker 'hospital' listening on 127.0.0.1:\(port); token in worker-token.txt")
try await server.waitUntilStopped()
