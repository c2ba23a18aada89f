import Foundation
import GRPCCore

// Note [Authentication]
// Every call to a worker carries `authorization: Bearer <token>`. The worker checks it in an interceptor,
// before the call reaches the service, so a call without the right token is answered `unauthenticated`
// and nothing of it runs. The comparison takes time that depends only on the lengths, not on where the
// first differing byte is, so the token cannot be guessed byte by byte from response times. The token is
// a shared secret: serve over TLS wherever the network is not trusted, or anyone on the path can read it.

/// Refuses every call whose token is missing or wrong (Note [Authentication]).
struct TokenAuthenticator: ServerInterceptor {
    let token: [UInt8]

    init(token: String) { self.token = Array(token.utf8) }

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next:
            @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<
                Output
            >
    ) async throws -> StreamingServerResponse<Output> {
        let presented = request.metadata[stringValues: MetadataKey.authorization].first { _ in true } ?? ""
        let prefix = "Bearer "
        guard presented.hasPrefix(prefix),
            constantTimeEquals(Array(presented.utf8.dropFirst(prefix.utf8.count)), token)
        else {
            throw RPCError(
                code: .unauthenticated,
                message: "the worker requires a valid token (authorization: Bearer <token>)")
        }
        return try await next(request, context)
    }
}

/// Whether two byte strings are equal, in time that depends only on their lengths.
func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var difference = UInt64(a.count ^ b.count)
    for i in 0..<Swift.max(a.count, b.count) {
        let x = i < a.count ? a[i] : 0
        let y = i < b.count ? b[i] : 0
        difference |= UInt64(x ^ y)
    }
    return difference == 0
}

/// Reads a worker token: the first line of `path`, or else the environment variable `SYFT_WORKER_TOKEN`.
///
/// ```swift
/// let token = try readWorkerToken(file: "/etc/syft/token")
/// ```
/// - Returns: the token, or nil when neither names one.
/// - Throws: when the file cannot be read or holds an empty token.
public func readWorkerToken(
    file path: String?, environment: [String: String] = ProcessInfo.processInfo.environment
) throws
    -> String?
{
    if let path {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let token =
            text.split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingCharacters(
                in: .whitespaces) ?? ""
        guard !token.isEmpty else {
            throw CocoaError(
                .fileReadCorruptFile,
                userInfo: [
                    NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "the token file \(path) is empty",
                ])
        }
        return token
    }
    if let token = environment[workerTokenVariable], !token.isEmpty { return token }
    return nil
}

/// The environment variable a worker (and a client) may take its token from.
public let workerTokenVariable = "SYFT_WORKER_TOKEN"

/// A new random token: 32 bytes from the system's generator, as hex.
public func makeWorkerToken() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
}
