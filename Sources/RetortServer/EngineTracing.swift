import RetortCore
import Tracing

/// One span per statement an engine runs (swift-distributed-tracing), with the
/// OpenTelemetry database attributes, as a child of the span the calling task is in
/// (a request's span, when the server traces requests).
///
/// ```swift
/// let tracing = EngineTracing(engine)                  // InstrumentationSystem's tracer
/// try await engine.connect { conn in … }               // "SELECT books" spans, kind client
/// ```
///
/// Attributes: `db.system` (the dialect's name: `sqlite`, `postgresql`),
/// `db.operation.name` (`SELECT`, `INSERT`, …), `db.collection.name` (the first table
/// the statement names) and `db.query.text` (the SQL with its placeholders: values are
/// bound parameters, and literal values written into the text, as in hand-written
/// `text(…)` SQL, are replaced by `?`). A failed statement's span records the error and
/// has status error. Transaction control (`BEGIN`, `COMMIT`) makes no span.
///
/// The parent comes from the task's `ServiceContext`: statements of ``AsyncEngine``
/// connections run inside the caller's task, so they nest under its span.
public final class EngineTracing: Sendable {
    private let engine: Engine
    private let tokens: [EngineEvents.Token]

    /// Starts tracing `engine`'s statements with the bootstrapped
    /// `InstrumentationSystem.tracer` until ``stop()``.
    public convenience init(_ engine: Engine) {
        self.init(engine, tracer: InstrumentationSystem.tracer)
    }

    /// Starts tracing `engine`'s statements with `tracer` until ``stop()``.
    public init(_ engine: Engine, tracer: some Tracer) {
        self.engine = engine
        let system = engine.dialect.name
        // How the dialect writes a backslash in a string literal tells whether a backslash
        // escapes the next character there (MySQL's `'\\'`) or is itself (`'\'`).
        let sanitizer = QueryTextSanitizer(backslashEscapes: (try? engine.dialect.literal(.text("\\"))) == "'\\\\'")
        let open = ThreadScratch<any Tracing.Span>()
        tokens = [
            engine.events.beforeExecute { event in
                let summary = StatementSummary(sql: event.sql)
                let span = tracer.startSpan(summary.spanName, ofKind: .client)
                span.attributes["db.system"] = system
                span.attributes["db.operation.name"] = summary.operation
                if let table = summary.table { span.attributes["db.collection.name"] = table }
                span.attributes["db.query.text"] = sanitizer.sanitize(event.sql)
                if event.parameterSetCount > 1 { span.attributes["db.operation.batch.size"] = event.parameterSetCount }
                open.put(span)
            },
            engine.events.afterExecute { _ in
                open.take()?.end()
            },
            engine.events.executeFailed { _, error in
                guard let span = open.take() else { return }
                span.recordError(error)
                span.setStatus(SpanStatus(code: .error, message: "\(type(of: error))"))
                span.end()
            },
        ]
    }

    /// Stops making spans.
    public func stop() {
        for token in tokens { engine.events.remove(token) }
    }
}
