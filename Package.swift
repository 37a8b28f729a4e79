// swift-tools-version: 6.0
import CompilerPluginSupport
import PackageDescription

let package = Package(
    name: "Retort",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Retort", targets: ["Retort"]),
        .library(name: "RetortCore", targets: ["RetortCore"]),
        .library(name: "RetortORM", targets: ["RetortORM"]),
        .library(name: "RetortMigrate", targets: ["RetortMigrate"]),
        // Retort in a Swift server: the engine as a swift-service-lifecycle Service,
        // swift-metrics and swift-distributed-tracing. Its own product, so that an app
        // that does not use it neither resolves nor builds those packages.
        .library(name: "RetortServer", targets: ["RetortServer"]),
        // The manifest module of migrations-example (a library product, as every
        // manifest module must be: migrator links it into a small program).
        .library(name: "ExampleModels", targets: ["ExampleModels"]),
        .executable(name: "migrator", targets: ["migrator"]),
        .executable(name: "retort-bench", targets: ["retort-bench"]),
        // The throwaway PostgreSQL server of the tests, for the example service's own
        // package (migrations-example/Server), which depends on Retort by path. Apps
        // never need it; a product is built only by packages that ask for it.
        .library(name: "RetortTestSupport", targets: ["RetortTestSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swiftlang/swift-syntax.git", from: "603.0.1"),
        // For RetortServer only.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
    ],
    targets: [
        // System-library shims: module maps only.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        // libpq's declarations only: RetortCore opens the library when the first
        // PostgreSQL connection is made (see LibPQ.swift), so it is not linked.
        .systemLibrary(name: "CLibPQ"),
        // libmariadb's declarations only, opened like libpq (see LibMariaDB.swift).
        .systemLibrary(name: "CMariaDB"),
        .target(
            name: "RetortCore",
            dependencies: [
                "CSQLite",
                "CLibPQ",
                "CMariaDB",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The @Model / @Column / @Transient macro implementations (a compiler plugin).
        .macro(
            name: "RetortMacros",
            dependencies: [
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftDiagnostics", package: "swift-syntax"),
                .product(name: "SwiftCompilerPlugin", package: "swift-syntax"),
            ]
        ),
        .target(name: "RetortORM", dependencies: ["RetortCore", "RetortMacros"]),
        .target(name: "Retort", dependencies: ["RetortCore", "RetortORM"]),
        .target(
            name: "RetortMigrate",
            dependencies: [
                "RetortCore",
                // For libyaml, which Yams ships as its CYaml module: revision files are
                // read from libyaml's events (Support/YAMLComposer.swift).
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "RetortServer",
            dependencies: [
                "RetortCore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // @Model classes (RetortORM) and one Core table.
        .target(name: "ExampleModels", dependencies: ["RetortCore", "RetortORM"], path: "migrations-example/Models"),
        .executableTarget(
            name: "migrator",
            dependencies: [
                "RetortMigrate",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "retort-bench",
            dependencies: ["RetortCore", "RetortORM", "RetortMigrate", "CSQLite", "CLibPQ", "CMariaDB"],
            // Its raw libpq and libmariadb loops call the libraries directly.
            linkerSettings: [.linkedLibrary("pq"), .linkedLibrary("mariadb")]
        ),
        // Shared by the test targets: the throwaway PostgreSQL and MariaDB servers.
        .target(
            name: "RetortTestSupport",
            dependencies: ["RetortCore", "CLibPQ", "CMariaDB"],
            path: "Tests/RetortTestSupport",
            // It calls libpq and libmariadb directly to set up databases.
            linkerSettings: [.linkedLibrary("pq"), .linkedLibrary("mariadb")]
        ),
        .testTarget(
            name: "RetortMigrateTests",
            dependencies: ["RetortMigrate", "RetortCore", "RetortTestSupport", "ExampleModels"]
        ),
        .testTarget(
            name: "RetortMacrosTests",
            dependencies: [
                "RetortMacros",
                .product(name: "SwiftSyntaxMacrosTestSupport", package: "swift-syntax"),
            ]
        ),
        // What @Model maps a class to: its table, columns and values (no Session).
        .testTarget(
            name: "RetortModelMappingTests",
            dependencies: ["Retort", "RetortTestSupport"]
        ),
        // The ORM at work: Session, unit of work, relationships, loading, inheritance.
        .testTarget(
            name: "RetortORMTests",
            dependencies: ["Retort", "RetortORM", "RetortCore", "RetortTestSupport"]
        ),
        .testTarget(
            name: "RetortServerTests",
            dependencies: [
                "RetortServer", "RetortCore", "RetortTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ]
        ),
        .testTarget(
            name: "RetortCoreTests",
            dependencies: ["RetortCore", "Retort", "CSQLite", "CLibPQ", "RetortTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
