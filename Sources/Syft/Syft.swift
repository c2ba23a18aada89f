// The umbrella module: `import Syft` gives the whole library.
@_exported import SyftCore
@_exported import SyftGRPC
@_exported import SyftNN
@_exported import SyftRemote

/// The library's version.
public let syftVersion = "0.1.0"
