// The umbrella module: `import Syft` gives the whole library.
@_exported import SyftCore
@_exported import SyftNN
@_exported import SyftRemote
@_exported import SyftGRPC

/// The library's version.
public let syftVersion = "0.1.0"
