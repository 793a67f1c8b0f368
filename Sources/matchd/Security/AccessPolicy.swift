/// Who may call each operation of `openapi.yaml`, in one table, enforced by `AccessMiddleware`
/// before a handler reads its input (so a caller without the right key learns 401 or 403, not
/// what is wrong with the request). What needs the record itself, a posting's employer, is
/// checked where the record is read, by `Identity.requireJobOwner`; a test holds this table to the
/// document's `security` and to every role × route × owner case.
enum Access: Sendable, Equatable {
    /// Anyone, without a key (a bad key is still refused by `AuthMiddleware`).
    case open
    /// Any valid key.
    case anyKey
    /// A key of one of these roles; the admin always passes.
    case roles([Identity.Role])
    /// The admin, or the seeker whose key owns the path's `talentId`.
    case talentOwner
    /// Any key here; the posting's employer (or the admin) is checked once the posting is read,
    /// so that a missing posting is 404 for every key.
    case jobOwner
}

enum AccessPolicy {
    static let table: [String: Access] = [
        // The model, text reading and anonymous matching: open.
        "getHealth": .open, "getMetrics": .open, "getModel": .open, "searchModel": .open, "listPosts": .open,
        "getPost": .open, "listCompetencies": .open, "getCompetency": .open, "listLevels": .open,
        "listCertificates": .open, "extract": .open, "classify": .open, "classifyBatch": .open,
        "matchAnonymous": .open, "listCourses": .open, "getCourse": .open,
        // The platform's: keys, courses, imports and the market view.
        "createKey": .roles([.admin]), "revokeKey": .roles([.admin]), "createCourse": .roles([.admin]),
        "importRecords": .roles([.admin]), "getImport": .roles([.admin]),
        "marketWages": .roles([.admin]), "marketStatus": .roles([.admin]), "marketSupply": .roles([.admin]),
        "marketTrends": .roles([.admin]), "marketShortages": .roles([.admin]),
        "marketCompetencies": .roles([.admin]), "marketCourses": .roles([.admin]),
        // Talents: a seeker creates its own; the owner and the admin do the rest.
        "createTalent": .roles([.seeker]), "getTalent": .talentOwner, "updateTalent": .talentOwner,
        "deleteTalent": .talentOwner, "exportTalent": .talentOwner, "matchJobs": .talentOwner,
        "planCourses": .talentOwner,
        // Postings: readable by any key, listed and written by employers, each its own.
        "getJob": .anyKey, "listJobs": .roles([.employer]), "createJob": .roles([.employer]),
        "updateJob": .jobOwner, "closeJob": .jobOwner, "matchCandidates": .jobOwner, "relaxJob": .jobOwner,
        "createShortlist": .roles([.employer]),
    ]

    /// Refuses `identity` for `operation` (an unknown operation is refused too: every route has a row).
    static func check(_ operation: String, _ identity: Identity, pathParameters: [String: Substring]) throws(ServiceError) {
        guard let access = table[operation] else { throw .forbidden("\(operation) has no access rule") }
        switch access {
        case .open: break
        case .anyKey, .jobOwner: try identity.requireKey()
        case .roles(let roles): try identity.require(roles)
        case .talentOwner: try identity.requireTalentOwner(pathParameters["talentId"].map(String.init) ?? "")
        }
    }
}
