import GRDB

/// The store's schema, as migrations: appended, never edited once shipped.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: employers, talents, jobs, courses, keys") { db in
            try db.execute(sql: """
                CREATE TABLE employer (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    createdAt DATETIME NOT NULL
                );
                CREATE TABLE talent (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    displayName TEXT NOT NULL,
                    contact TEXT,
                    city TEXT,
                    desiredCities TEXT NOT NULL,
                    desiredPosts TEXT NOT NULL,
                    salaryMin INTEGER,
                    salaryMax INTEGER,
                    level INTEGER,
                    searchable BOOLEAN NOT NULL DEFAULT 0,
                    profile TEXT NOT NULL,
                    createdAt DATETIME NOT NULL,
                    updatedAt DATETIME NOT NULL
                );
                CREATE TABLE job (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    employerId TEXT NOT NULL REFERENCES employer(id),
                    title TEXT NOT NULL,
                    description TEXT,
                    postCode TEXT,
                    level INTEGER,
                    city TEXT,
                    salaryMin INTEGER,
                    salaryMax INTEGER,
                    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
                    requirements TEXT NOT NULL,
                    createdAt DATETIME NOT NULL,
                    updatedAt DATETIME NOT NULL
                );
                CREATE INDEX job_employerId ON job(employerId);
                CREATE TABLE course (
                    id TEXT PRIMARY KEY NOT NULL,
                    data TEXT NOT NULL,
                    createdAt DATETIME NOT NULL,
                    updatedAt DATETIME NOT NULL
                );
                CREATE TABLE apiKey (
                    id TEXT PRIMARY KEY NOT NULL,
                    keyHash TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL CHECK (role IN ('admin', 'employer', 'seeker')),
                    name TEXT NOT NULL,
                    employerId TEXT REFERENCES employer(id),
                    talentId TEXT,
                    createdAt DATETIME NOT NULL,
                    revokedAt DATETIME
                );
                CREATE INDEX apiKey_talentId ON apiKey(talentId);
                CREATE TABLE meta (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                );
                INSERT INTO meta (key, value) VALUES ('revision', '0');
                """)
        }
        migrator.registerMigration("v2: jobs' occupation codes") { db in
            // The occupation a posting is counted under: its post's when it names one ('given'),
            // else the coder's answer for its title and description ('inferred'); `codedWith` is the
            // fingerprint of the model that coded it (a different model re-codes at start-up).
            try db.execute(sql: """
                ALTER TABLE job ADD COLUMN occupationCode TEXT;
                ALTER TABLE job ADD COLUMN occupationSource TEXT CHECK (occupationSource IN ('given', 'inferred'));
                ALTER TABLE job ADD COLUMN occupationConfidence REAL;
                ALTER TABLE job ADD COLUMN codedWith TEXT;
                CREATE INDEX job_occupationCode ON job(occupationCode);
                """)
        }
        migrator.registerMigration("v3: when postings closed") { db in
            // `createdAt` is when a posting was published (an import may give it); `closedAt` when it
            // closed, so the market view can count the postings open in any month.
            try db.execute(sql: """
                ALTER TABLE job ADD COLUMN closedAt DATETIME;
                UPDATE job SET closedAt = updatedAt WHERE status = 'closed';
                """)
        }
        migrator.registerMigration("v4: import runs") { db in
            try db.execute(sql: """
                CREATE TABLE importRun (
                    id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('running', 'completed', 'interrupted')),
                    linesReceived INTEGER NOT NULL,
                    linesCommitted INTEGER NOT NULL,
                    linesFailed INTEGER NOT NULL,
                    lastLine INTEGER NOT NULL,
                    errors TEXT NOT NULL,
                    startedAt DATETIME NOT NULL,
                    updatedAt DATETIME NOT NULL
                );
                """)
        }
        return migrator
    }
}
