/// Who is calling: the role and owner of the API key on the request (or nobody).
///
/// Set per request by `AuthMiddleware` as a task-local, so the generated OpenAPI handlers can
/// read it. Roles and the talent in the path are checked by `AccessPolicy` before a handler runs;
/// journeys take an identity only where they need one: a posting's employer (`requireJobOwner`,
/// once the posting is read), the owner a new record or a listing gets.
struct Identity: Sendable, Equatable {
    enum Role: String, Sendable, Codable, CaseIterable {
        case anonymous, admin, employer, seeker
        /// "an admin", "an employer", "a seeker".
        var withArticle: String { ("aeiou".contains(rawValue.first!) ? "an " : "a ") + rawValue }
    }

    var role: Role
    var keyID: String?
    var employerID: String?
    var talentID: String?

    static let anonymous = Identity(role: .anonymous)

    @TaskLocal static var current: Identity = .anonymous

    /// Any key at all.
    func requireKey() throws(ServiceError) {
        if role == .anonymous { throw .missingKey }
    }

    /// One of `roles` (admin always passes).
    func require(_ roles: Role...) throws(ServiceError) { try require(roles) }

    func require(_ roles: [Role]) throws(ServiceError) {
        try requireKey()
        guard role == .admin || roles.contains(role) else {
            var needed: [Role] = []
            for r in roles + [.admin] where !needed.contains(r) { needed.append(r) }
            throw .forbidden("\(role.withArticle) key may not do this; it needs \(needed.map(\.withArticle).joined(separator: " or ")) key")
        }
    }

    /// An admin, or the seeker whose key owns talent `id`.
    func requireTalentOwner(_ id: String) throws(ServiceError) {
        try require(.seeker)
        if role == .seeker && talentID != id { throw .forbidden("this seeker key owns another talent profile") }
    }

    /// An admin, or the employer that owns the posting.
    func requireJobOwner(employerID owner: String) throws(ServiceError) {
        try require(.employer)
        if role == .employer && employerID != owner { throw .forbidden("this employer key does not own the posting") }
    }
}
