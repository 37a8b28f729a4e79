// swift-tools-version: 6.0
// The example book catalogue as a Hummingbird 2 service: its own package, so that an
// app depending on Retort never resolves Hummingbird. It depends on Retort by path.
import Foundation
import PackageDescription

// A package reached by path is known by its folder's name (in lower case), which is the
// name of the checkout, not "Retort": read it off the path rather than guess it.
let retortFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../..").standardizedFileURL
let retort = retortFolder.lastPathComponent.lowercased()

let package = Package(
    name: "BookServer",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "book-server", targets: ["BookServer"]),
    ],
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        // The service: models, routes, errors, start-up (a library, so tests drive it).
        .target(
            name: "BookService",
            dependencies: [
                .product(name: "Retort", package: retort),
                .product(name: "RetortMigrate", package: retort),
                .product(name: "RetortServer", package: retort),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // `swift run`: reads the environment, starts the service.
        .executableTarget(
            name: "BookServer",
            dependencies: ["BookService", .product(name: "Hummingbird", package: "hummingbird")]
        ),
        .testTarget(
            name: "BookServiceTests",
            dependencies: [
                "BookService",
                .product(name: "Retort", package: retort),
                .product(name: "RetortMigrate", package: retort),
                .product(name: "RetortTestSupport", package: retort),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
