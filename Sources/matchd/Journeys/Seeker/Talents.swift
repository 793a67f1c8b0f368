import Synchronization
import Embeddings
import Foundation
import Logging

/// A talent profile as a caller sends it (create or replace).
struct TalentDraft: Sendable, Codable, Equatable {
    var id: String?
    var displayName: String
    var contact: TalentRecord.Contact?
    var city: String?
    var desiredCities: [String] = []
    var desiredPosts: [String] = []
    var salaryMin: Int?
    var salaryMax: Int?
    var level: Int?
    var searchable: Bool = false
    var profile: ProfileInput
    /// When the person registered (default: when the profile is first stored).
    var registeredAt: Date?
}

/// Record ids: 1–64 of letters, digits, `.`, `_`, `-`, starting with a letter or digit.
func validateRecordID(_ id: String, field: String) throws(ServiceError) {
    let ok = !id.isEmpty && id.count <= 64 && id.unicodeScalars.allSatisfy {
        ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "." || $0 == "_" || $0 == "-"
    } && id.unicodeScalars.first.map { $0 != "." && $0 != "_" && $0 != "-" } == true
    if !ok { throw .invalid(field: field, message: "\"\(id)\" is not a record id (1–64 letters, digits, '.', '_', '-')") }
}

func validateSalary(min: Int?, max: Int?, field: String) throws(ServiceError) {
    let range = 0...Int(Int32.max)
    if let min, !range.contains(min) { throw .invalid(field: field + ".min", message: "\(min) is outside 0…\(Int32.max)") }
    if let max, !range.contains(max) { throw .invalid(field: field + ".max", message: "\(max) is outside 0…\(Int32.max)") }
    if let min, let max, min > max { throw .unprocessable(field: field, message: "min \(min) is above max \(max)") }
}

/// The `maxLength` of a string field in `openapi.yaml`, counted as JSON Schema does (Unicode scalars).
func validateLength(_ value: String?, field: String, max: Int) throws(ServiceError) {
    if let value, value.unicodeScalars.count > max {
        throw .invalid(field: field, message: "\(value.unicodeScalars.count) characters; at most \(max)")
    }
}

/// The `maxItems` of an array field in `openapi.yaml`.
func validateCount(_ count: Int, field: String, max: Int) throws(ServiceError) {
    if count > max { throw .invalid(field: field, message: "\(count) items; at most \(max)") }
}

func validateLevel(_ level: Int?, field: String) throws(ServiceError) {
    if let level, !(1...8).contains(level) { throw .invalid(field: field, message: "level \(level) is outside 1…8") }
}

/// The document's limits of a `ProfileInput` (item counts and text lengths), checked before its
/// ids are looked up.
func validateProfile(_ profile: ProfileInput, field: String) throws(ServiceError) {
    try validateCount(profile.skills.count, field: field + ".skills", max: 500)
    try validateCount(profile.certificates.count, field: field + ".certificates", max: 100)
    try validateCount(profile.experience.count, field: field + ".experience", max: 100)
    for (k, e) in profile.experience.enumerated() {
        try validateLength(e.text, field: "\(field).experience[\(k)].text", max: 20000)
    }
    try validateCount(profile.completedCourses.count, field: field + ".completedCourses", max: 200)
    try validateLength(profile.text, field: field + ".text", max: 20000)
}

extension TalentRecord {
    /// A new talent from a draft, registered `now` unless the draft gives `registeredAt`.
    init(id: String, _ draft: TalentDraft, now: Date) {
        self.init(seq: nil, id: id, displayName: draft.displayName, contact: nil, city: nil, desiredCities: [], desiredPosts: [],
                  salaryMin: nil, salaryMax: nil, level: nil, searchable: false, profile: draft.profile, createdAt: now,
                  updatedAt: now)
        take(draft, now: now)
    }

    /// Takes every field a draft sets; the registration date only when the draft has one.
    mutating func take(_ d: TalentDraft, now: Date) {
        displayName = d.displayName
        contact = d.contact
        city = d.city
        desiredCities = d.desiredCities
        desiredPosts = d.desiredPosts
        salaryMin = d.salaryMin
        salaryMax = d.salaryMax
        level = d.level
        searchable = d.searchable
        profile = d.profile
        updatedAt = now
        if let at = d.registeredAt { createdAt = at }
    }
}

/// A date that has happened (an hour of clock skew allowed).
func validatePast(_ date: Date?, field: String) throws(ServiceError) {
    if let date, date.timeIntervalSinceNow > 3600 {
        throw .unprocessable(field: field, message: "\(date.ISO8601Format()) is in the future")
    }
}

extension Engine {
    /// Checks a draft; returns its capability profile (which validates every id in it).
    func validate(_ draft: TalentDraft) throws(ServiceError) -> CapabilityProfile {
        if let id = draft.id { try validateRecordID(id, field: "id") }
        let name = draft.displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { throw .invalid(field: "displayName", message: "must not be empty") }
        // The document's limits (openapi.yaml, TalentInput and ProfileInput).
        try validateLength(draft.displayName, field: "displayName", max: 100)
        try validateLength(draft.city, field: "city", max: 64)
        try validateLength(draft.contact?.email, field: "contact.email", max: 200)
        try validateLength(draft.contact?.phone, field: "contact.phone", max: 50)
        try validateCount(draft.desiredCities.count, field: "desiredCities", max: 20)
        for (k, city) in draft.desiredCities.enumerated() { try validateLength(city, field: "desiredCities[\(k)]", max: 64) }
        try validateCount(draft.desiredPosts.count, field: "desiredPosts", max: 20)
        try validateProfile(draft.profile, field: "profile")
        try validateSalary(min: draft.salaryMin, max: draft.salaryMax, field: "salary")
        try validateLevel(draft.level, field: "level")
        try validatePast(draft.registeredAt, field: "registeredAt")
        for (k, post) in draft.desiredPosts.enumerated() where model.post(id: post) == nil {
            throw .embeddings(.unknownPost(field: "desiredPosts[\(k)]", id: post))
        }
        return try capabilities(of: draft.profile)
    }

    /// Creates a talent: a seeker creates the one its key reserves, an admin any.
    func createTalent(_ draft: TalentDraft, by identity: Identity) async throws -> TalentRecord {
        var draft = draft
        if identity.role == .seeker {
            guard let owned = identity.talentID else { throw ServiceError.forbidden("this seeker key owns no talent id") }
            if let id = draft.id, id != owned {
                throw ServiceError.forbidden("this seeker key may only create talent \(owned)")
            }
            draft.id = owned
        }
        let has = try validate(draft)
        let id = draft.id ?? APIKeys.newID("t-")
        let taken: ServiceError = identity.role == .seeker ? .talentExists(keyTalentID: id) : .conflict(kind: "talent", id: id)
        return try await store.insertTalent(TalentRecord(id: id, draft, now: Date()), taken: taken) { r in
            try self.publishTalent(r, capabilities: has)
        }
    }

    /// Replaces a talent's profile (owner or admin).
    func updateTalent(id: String, _ draft: TalentDraft) async throws -> TalentRecord {
        if let bodyID = draft.id { try validateRecordID(bodyID, field: "id") }
        if let bodyID = draft.id, bodyID != id {
            throw ServiceError.unprocessable(field: "id", message: "body id \(bodyID) differs from the path's \(id)")
        }
        let has = try validate(draft)
        return try await store.updateTalent(id: id, { $0.take(draft, now: Date()) }) { r in
            try self.publishTalent(r, capabilities: has)
        }
    }

    /// Upserts a talent by id (bulk import; validated like a create by an admin).
    func upsertTalents(_ drafts: [TalentDraft]) async throws -> [TalentRecord] {
        let prepared = try drafts.map { d throws(ServiceError) in (d, try validate(d)) }
        return try await store.upsertTalents(ids: prepared.map { $0.0.id! }, { i, stored in
            let (d, now) = (prepared[i].0, Date())
            guard var r = stored else { return TalentRecord(id: d.id!, d, now: now) }
            r.take(d, now: now)
            return r
        }, publish: { records in
            let items = zip(records, prepared).map { r, p in
                (key: UInt64(r.seq!), vector: self.talentVector(r, p.1), entry: self.talentEntry(r, capabilities: p.1))
            }
            try self.publish(items, to: .talents, catalog: self.talents, ids: records.map(\.id))
        })
    }

    func talentVector(_ r: TalentRecord, _ has: CapabilityProfile) -> [Float]? {
        guard r.searchable else { return nil }
        let v = vectorizer.searchVector(has)
        return v.contains { $0 != 0 } ? v : nil
    }

    private func publishTalent(_ r: TalentRecord, capabilities has: CapabilityProfile) throws(PublishFailure) {
        try publish([(UInt64(r.seq!), talentVector(r, has), talentEntry(r, capabilities: has))], to: .talents,
                    catalog: talents, ids: [r.id])
    }

    /// A talent (owner or admin).
    func talent(id: String) async throws -> TalentRecord {
        guard let r = try await store.talent(id: id) else { throw ServiceError.notFound(kind: "talent", id: id) }
        return r
    }

    /// Deletes a talent's record, its keys, its vector (compacting the index) and the saved
    /// snapshot, then empties the WAL into the database file. The snapshot is deleted inside the
    /// deleting transaction, before it commits: if that fails, nothing is deleted and the caller
    /// gets the `StoreError`; if the process dies between the two, the next start rebuilds. The
    /// store's `secure_delete` zeroes the row's bytes in its pages; the WAL checkpoint removes the
    /// frames that still held them.
    func deleteTalent(id: String) async throws {
        let hashes = try await store.deleteTalent(id: id, inside: { try self.discardSnapshot() }) { seq in
            self.talents.remove([UInt64(seq)], erase: true)
        }
        keyCache.withLock { cache in for h in hashes { cache.removeValue(forKey: h) } }
        do {
            try await store.truncateWAL()
        } catch {
            // The row is deleted and zeroed in the database file's pages; only older WAL frames
            // may still hold it until the next checkpoint (the next deletion, or shutdown).
            logger.warning("WAL checkpoint after a deletion did not complete", metadata: ["error": "\(error)"])
        }
    }

    /// Everything stored about a talent (owner or admin).
    func exportTalent(id: String) async throws -> (TalentRecord, [APIKeyRecord]) {
        let r = try await talent(id: id)
        return (r, try await store.keys(talentID: id))
    }
}
