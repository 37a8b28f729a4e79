// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Retort",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Retort", targets: ["Retort"]),
        .library(name: "RetortCore", targets: ["RetortCore"]),
        .library(name: "RetortORM", targets: ["RetortORM"]),
        .library(name: "RetortMigrate", targets: ["RetortMigrate"]),
        .executable(name: "migrator", targets: ["migrator"]),
        .executable(name: "retort-bench", targets: ["retort-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        // System-library shims: module maps only.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        .target(
            name: "RetortCore",
            dependencies: [
                "CSQLite",
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "RetortORM", dependencies: ["RetortCore"]),
        .target(name: "Retort", dependencies: ["RetortCore", "RetortORM"]),
        .target(
            name: "RetortMigrate",
            dependencies: [
                "RetortCore",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "migrator",
            dependencies: [
                "RetortMigrate",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "retort-bench",
            dependencies: ["RetortCore", "RetortORM", "RetortMigrate", "CSQLite", "CLibPQ"]
        ),
        // Shared by the test targets: the throwaway PostgreSQL server.
        .target(
            name: "RetortTestSupport",
            dependencies: ["RetortCore", "CLibPQ"],
            path: "Tests/RetortTestSupport"
        ),
        .testTarget(
            name: "RetortMigrateTests",
            dependencies: ["RetortMigrate", "RetortCore", "RetortTestSupport"]
        ),
        .testTarget(
            name: "RetortORMTests",
            dependencies: ["Retort", "RetortORM", "RetortCore", "RetortTestSupport"]
        ),
        .testTarget(
            name: "RetortCoreTests",
            dependencies: ["RetortCore", "Retort", "CSQLite", "CLibPQ", "RetortTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
