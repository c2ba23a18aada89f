import Crypto
import Foundation
import SyftCore
import SyftGRPC
import SyftRemote
import X509
import XCTest
import _WorkerProcessSupport

/// A worker serving TLS with a certificate the test makes: a CA, and a server certificate for
/// `localhost` signed by it.
final class TLSTests: XCTestCase {
    struct Credentials {
        var caPEM: String
        var certificatePEM: String
        var keyPEM: String
    }

    static func makeCredentials() throws -> Credentials {
        let now = Date()
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("Syft test CA") }
        let ca = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey),
            notValidBefore: now - 3600,
            notValidAfter: now + 86400, issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true))
            }, issuerPrivateKey: .init(caKey))
        let key = P256.Signing.PrivateKey()
        let server = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: now - 3600,
            notValidAfter: now + 86400, issuer: caName,
            subject: try DistinguishedName { CommonName("localhost") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                SubjectAlternativeNames([.dnsName("localhost")])
                try ExtendedKeyUsage([.serverAuth])
            }, issuerPrivateKey: .init(caKey))
        return Credentials(
            caPEM: try ca.serializeAsPEM().pemString, certificatePEM: try server.serializeAsPEM().pemString,
            keyPEM: key.pemRepresentation)
    }

    func testTLSWorker() throws {
        let credentials = try Self.makeCredentials()
        let other = try Self.makeCredentials()
        let dir = try temporaryDirectory()
        let cert = dir.appendingPathComponent("bob.pem")
        let key = dir.appendingPathComponent("bob.key")
        try credentials.certificatePEM.write(to: cert, atomically: true, encoding: .utf8)
        try credentials.keyPEM.write(to: key, atomically: true, encoding: .utf8)
        let bob = try startWorker("bob", ["--tls-cert", cert.path, "--tls-key", key.path])
        XCTAssertTrue(bob.logText.contains("(TLS)"), bob.logText)

        let client = try NetworkWorker(
            id: "bob", host: "localhost", port: bob.port, token: bob.token,
            tls: .trusting(.text(credentials.caPEM)))
        let x = try Tensor([1.0, 2.0, 3.0]).send(to: client)
        XCTAssertEqual(try (x * x).sum().get().item(), 14)
        let big = Tensor.arange(300_000, dtype: .float32)
        XCTAssertTrue(try big.send(to: client).get().isEqual(to: big), "chunked data over TLS")

        // A client that trusts another CA, or speaks plaintext, does not get through.
        assertSyftError(
            try NetworkWorker(
                id: "bob", host: "localhost", port: bob.port, token: bob.token,
                tls: .trusting(.text(other.caPEM)), connectTimeout: .seconds(5))
        ) {
            if case .workerUnreachable = $0 { return true }; return false
        }
        assertSyftError(
            try NetworkWorker(
                id: "bob", host: "localhost", port: bob.port, token: bob.token, connectTimeout: .seconds(5))
        ) {
            if case .workerUnreachable = $0 { return true }; return false
        }
    }
}
