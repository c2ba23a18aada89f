import GRPCCore
import GRPCNIOTransportHTTP2

/// PEM text, from a file or in memory.
public enum PEMSource: Sendable, Hashable {
    /// A file holding PEM (certificates or a private key).
    case file(String)
    /// PEM text.
    case text(String)

    var certificateSource: TLSConfig.CertificateSource {
        switch self {
        case .file(let path): return .file(path: path, format: .pem)
        case .text(let pem): return .bytes(Array(pem.utf8), format: .pem)
        }
    }

    var privateKeySource: TLSConfig.PrivateKeySource {
        switch self {
        case .file(let path): return .file(path: path, format: .pem)
        case .text(let pem): return .bytes(Array(pem.utf8), format: .pem)
        }
    }
}

/// A worker's TLS identity: its certificate chain and private key (`syft worker --tls-cert --tls-key`).
///
/// ```swift
/// let tls = ServerTLS(certificateChain: .file("bob.pem"), privateKey: .file("bob.key"))
/// ```
public struct ServerTLS: Sendable, Hashable {
    public var certificateChain: PEMSource
    public var privateKey: PEMSource

    public init(certificateChain: PEMSource, privateKey: PEMSource) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
    }

    var transportSecurity: HTTP2ServerTransport.Posix.TransportSecurity {
        .tls(certificateChain: [certificateChain.certificateSource], privateKey: privateKey.privateKeySource)
    }
}

/// What a client trusts when it connects to a worker over TLS: the certificates of the CA that signed the
/// worker's certificate, or the system's trust roots. The worker's certificate must name the host the
/// client connects to (a DNS name or an IP address in its subject alternative names).
///
/// ```swift
/// let bob = try NetworkWorker(id: "bob", host: "bob.example", port: 7001, token: token, tls: .trusting(.file("ca.pem")))
/// ```
public struct ClientTLS: Sendable, Hashable {
    /// CA certificates to trust; nil trusts the system's roots.
    public var trustRoots: PEMSource?

    public init(trustRoots: PEMSource?) { self.trustRoots = trustRoots }

    /// Trusts the system's roots.
    public static let systemRoots = ClientTLS(trustRoots: nil)

    /// Trusts the CA certificates in `pem`.
    public static func trusting(_ pem: PEMSource) -> ClientTLS { ClientTLS(trustRoots: pem) }

    var transportSecurity: HTTP2ClientTransport.Posix.TransportSecurity {
        .tls { config in
            if let trustRoots { config.trustRoots = .certificates([trustRoots.certificateSource]) }
            config.serverCertificateVerification = .fullVerification
        }
    }
}
