import RetortCore

// Selectin polymorphic loading (SQLAlchemy's `selectin_polymorphic`): a query on a class
// of an inheritance hierarchy reads its rows from the root table alone, then the
// columns of each joined-table subclass with one SELECT of that subclass's table per
// 500 keys, for the rows of the classes that use the table. The alternative to the
// LEFT OUTER JOIN of every subclass table, which makes wide rows when the hierarchy
// has many subclass tables and most rows use few of them.

extension ModelSelect {
    /// Reads the subclasses' own columns after the rows, with one `SELECT ... WHERE key
    /// IN (...)` per joined-table subclass table (for the rows of the classes that use
    /// it), instead of the LEFT OUTER JOINs of the default polymorphic query.
    ///
    /// ```swift
    /// let staff = try session.scalars(select(Staff.self).orderBy { $0.id }.selectinPolymorphic()).all()
    /// // SELECT staff.id, staff.name, staff.kind FROM staff ORDER BY staff.id
    /// // SELECT managers.id, managers.budget FROM managers WHERE managers.id IN (?, ?)
    /// // SELECT engineers.id, engineers.language FROM engineers WHERE engineers.id IN (?)
    /// ```
    ///
    /// Conditions and ordering on a subclass's columns keep that table joined in the
    /// first query. Relationships that a loader option loads by a join are loaded by an
    /// `IN` query after the rows; `containsEager` is refused. For a model outside a
    /// hierarchy, or a hierarchy without joined-table subclasses, the query is unchanged.
    public func selectinPolymorphic() -> ModelSelect {
        var s = self
        s.polymorphicSelectin = true
        return s
    }
}

enum PolymorphicSelectin {
    /// Runs `query`: the root table's rows, then each subclass table's columns for the
    /// rows that have them; builds each row's instance (of its class) from both.
    static func run<M: Model>(_ query: ModelSelect<M>, _ hierarchy: Hierarchy, _ plan: LoadPlan, in session: Session) throws -> [M] {
        if let message = query.loaderError { throw ArgumentError(message) }
        let roots = try EagerLoader.effective(M.self, try EagerLoader.tree(query.loaderSteps))
        if roots.contains(where: { if case .containsEager = $0.strategy { return true } else { return false } }) {
            throw ArgumentError(
                "containsEager cannot be combined with selectinPolymorphic(): the query's rows hold only \(hierarchy.root)'s table; use selectinLoad")
        }
        let rootTable = hierarchy.root.mapping.table
        let keyColumns = rootTable.primaryKey?.columns ?? []
        let width = hierarchy.columns.count
        var base = query.core
        base.columns = select([rootTable]).columns
        // The subclass tables stay joined only when the conditions or order name them.
        var named: [FromNode] = []
        var seen = Set<FromIdentity>()
        base.whereClause?.collectFroms(into: &named, seen: &seen)
        for t in base.orderBy { t.expression.collectFroms(into: &named, seen: &seen) }
        let subclassNamed = hierarchy.joins.contains { seen.contains(FromNode.table($0.table).identity) }
        if !subclassNamed, base.froms.count == 1, base.froms[0].identity == hierarchy.from.fromReference.node.identity {
            base.froms = [FromNode.table(rootTable)]
        }

        // The rows, as rows of the hierarchy's full width (subclass columns filled below).
        let conn = try session.activeConnection()
        var rows: [[SQLValue]] = []
        var classes: [Hierarchy.Class] = []
        let result = try conn.execute(base)
        let rootWidth = rootTable.columns.count
        while let row = try result.next() {
            var values = [SQLValue](repeating: .null, count: width)
            for i in 0..<rootWidth { values[i] = row[i] }
            classes.append(try hierarchy.info(identity: values[hierarchy.discriminator]))
            rows.append(values)
        }

        if keyColumns.count == 1 {
            let keyPosition = rootTable.position(of: keyColumns[0])!
            for (table, _) in hierarchy.joins {
                // The rows of the classes stored partly in this table.
                let users = rows.indices.filter { hierarchy.usesTable(classes[$0], table) }
                guard !users.isEmpty else { continue }
                var byKey: [SQLValue: Int] = [:]
                for i in users { byKey[rows[i][keyPosition]] = i }
                let key = table.c[keyColumns[0]]
                let own = table.columns.filter { !$0.primaryKey }
                let q = select([key as any SelectItem] + own.map { table.c[$0.name] as any SelectItem })
                let positions = own.map { hierarchy.position(of: $0.name, in: table) }
                var start = 0
                while start < users.count {
                    let chunk = users[start..<min(start + 500, users.count)]
                    start += 500
                    let r = try conn.execute(q.where(key.inValues(chunk.map { rows[$0][keyPosition] }, negated: false)))
                    while let row = try r.next() {
                        guard let i = byKey[row[0]] else { continue }
                        for (k, at) in positions.enumerated() { rows[i][at] = row[k + 1] }
                    }
                }
            }
        }

        let names = ResultColumns(hierarchy.columns.indices.map { "c\($0)" })
        var objects: [AnyObject] = []
        objects.reserveCapacity(rows.count)
        for values in rows {
            objects.append(try session.instance(M.self, from: Row(values: values, columns: names), plan: plan))
        }
        try EagerLoader.postLoad(objects, roots, in: session)
        return RelationshipMirror.castAll(objects, to: M.self, for: "\(M.self) query")
    }
}
