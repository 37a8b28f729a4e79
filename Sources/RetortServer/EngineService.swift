import Foundation
import RetortCore
import ServiceLifecycle

/// An engine as a swift-service-lifecycle `Service`: put it in the `ServiceGroup`
/// before the services that use it (a group shuts services down in reverse order), and
/// on graceful shutdown it waits for the connections in use to come back, then closes
/// the pool.
///
/// ```swift
/// let engine = try createAsyncEngine(url)
/// let group = ServiceGroup(services: [EngineService(engine), httpServer],
///                          gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
public struct EngineService: Service {
    /// The engine whose pool the service closes.
    public let engine: Engine
    /// How long shutdown waits for connections in use before closing the pool anyway
    /// (those close when they come back).
    public var drainTimeout: Duration

    /// The service of `engine`.
    public init(_ engine: Engine, drainTimeout: Duration = .seconds(30)) {
        self.engine = engine
        self.drainTimeout = drainTimeout
    }

    /// The service of an ``AsyncEngine``'s pool.
    @available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *)
    public init(_ engine: AsyncEngine, drainTimeout: Duration = .seconds(30)) {
        self.init(engine.sync, drainTimeout: drainTimeout)
    }

    /// Waits for graceful shutdown (or cancellation), then drains and closes the pool.
    public func run() async throws {
        try? await gracefulShutdown()
        let deadline = ContinuousClock.now + drainTimeout
        while engine.poolStatus.checkedOut > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        engine.dispose()
    }
}
