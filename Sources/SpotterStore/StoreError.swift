/// Why a store operation was refused or failed, and what it concerned.
///
/// Refusals (`notFound`, `invalid`, `conflict`, `refused`) come from the store's rules: nothing was written. `backend`
/// wraps a database failure, with what was being done; it never contains credentials.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// An ID, name or call sign that names nothing.
        case notFound
        /// Input that can never be accepted (an empty name, an unknown kind).
        case invalid
        /// Input that clashes with what is recorded (a duplicate call sign, an impossible status change).
        case conflict
        /// A step that needs `--force` (dispatching a dismissed detection, a team already on a task).
        case needsForce
        /// The database failed or could not be reached.
        case backend
        /// The log or a recorded row does not match its hash chain.
        case tampered
    }

    public var code: Code
    /// One line saying what went wrong and what it concerned.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message.split(whereSeparator: \.isNewline).joined(separator: " ") }
}
