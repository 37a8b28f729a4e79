/// Column and enum names derived from Swift names.
enum Naming {
    /// `authorId` → `author_id`, `isbn13` → `isbn13`, `URLString` → `url_string`,
    /// `userID` → `user_id`, `BookFormat` → `book_format`.
    ///
    /// An underscore goes before an upper-case letter that follows a lower-case letter
    /// or a digit, and before the last capital of a run when a lower-case letter follows
    /// it (`HTTPServer` → `http_server`).
    static func snakeCase(_ name: String) -> String {
        let chars = Array(name)
        var out = ""
        for (i, ch) in chars.enumerated() {
            if ch.isUppercase, i > 0 {
                let previous = chars[i - 1]
                let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) {
                    out.append("_")
                }
            }
            out += ch.lowercased()
        }
        return out
    }

    /// The enum type name of a Swift type path: `BookFormat` → `book_format`,
    /// `Book.Format` → `book_format`.
    static func enumName(_ typePath: [String]) -> String {
        typePath.map(snakeCase).joined(separator: "_")
    }
}
