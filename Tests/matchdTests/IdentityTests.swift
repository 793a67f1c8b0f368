import Testing
@testable import matchd

/// Refusals read as English and name each role once.
@Suite struct IdentityTests {
    func message(_ identity: Identity, _ roles: Identity.Role...) -> String? {
        do {
            switch roles.count {
            case 0: try identity.require()
            default: try identity.require(roles[0])
            }
            return nil
        } catch {
            if case .forbidden(let m) = error { return m }
            return "\(error)"
        }
    }

    @Test func refusalsNameEachRoleOnceWithItsArticle() {
        #expect(message(Identity(role: .employer)) == "an employer key may not do this; it needs an admin key")
        #expect(message(Identity(role: .seeker), .employer) == "a seeker key may not do this; it needs an employer or an admin key")
        #expect(message(Identity(role: .employer), .admin) == "an employer key may not do this; it needs an admin key")
        #expect(message(Identity(role: .admin), .seeker) == nil)
    }
}
