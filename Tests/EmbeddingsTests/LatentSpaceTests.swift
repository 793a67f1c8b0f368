import Embeddings
import Matcher
import Testing

@Suite struct LatentSpaceTests {
    let model = Mini.model

    func id(_ s: String) -> Int { model.index(ofCompetency: s)! }

    @Test func relatedCompetenciesScoreAboveUnrelatedOnes() throws {
        let latent = try LatentSpace.build(model: model, rank: 6)
        #expect(latent.rank == 6)
        let pt = id("ai.pytorch"), tf = id("ai.tensorflow"), dl = id("ai.deep-learning"), cv = id("ai.computer-vision")
        let live = id("ecom.live-commerce"), ops = id("ecom.operations")
        #expect(latent.similarity(pt, tf) > latent.similarity(pt, live) + 0.3)
        #expect(latent.similarity(dl, cv) > latent.similarity(dl, live) + 0.3)
        #expect(latent.similarity(live, ops) > latent.similarity(live, tf) + 0.3)
        #expect(abs(latent.similarity(pt, pt) - 1) < 1e-5)
        #expect(latent.similarity("ai.pytorch", "ai.tensorflow", in: model) == latent.similarity(pt, tf))
        #expect(latent.mostSimilar(to: live, limit: 1).first?.index == ops)
    }

    /// At full rank the latent cosine is the cosine between the training matrix's columns,
    /// computed here directly with loops; at rank k it is the cosine between the columns of the
    /// rank-k reconstruction.
    @Test(arguments: [nil, 4] as [Int?])
    func similarityMatchesColumnCosinesOfTheReconstruction(rank: Int?) throws {
        let a = LatentSpace.trainingMatrix(model: model)
        let full = min(a.rows, a.columns)
        let latent = try LatentSpace.build(model: model, rank: rank ?? full)
        let target = rank == nil ? a : try SVD.truncated(a, rank: rank!).reconstructed()
        func cosine(_ i: Int, _ j: Int) -> Float {
            var dot: Float = 0, ni: Float = 0, nj: Float = 0
            for r in 0..<target.rows {
                dot += target[r, i] * target[r, j]
                ni += target[r, i] * target[r, i]
                nj += target[r, j] * target[r, j]
            }
            // A column no row uses is zero (up to rounding in the reconstruction).
            return ni > 1e-8 && nj > 1e-8 ? dot / (ni.squareRoot() * nj.squareRoot()) : 0
        }
        for i in 0..<model.dimension {
            for j in 0..<model.dimension {
                #expect(abs(latent.similarity(i, j) - cosine(i, j)) < 2e-4, "\(i),\(j)")
            }
        }
    }

    @Test func trainingMatrixRowsAreNormalisedPostsCoursesAndLinks() {
        let a = LatentSpace.trainingMatrix(model: model)
        #expect(a.columns == 16)
        #expect(a.rows == 5 + 4 + model.relatedPairs.count)
        // pytorch–tensorflow, pytorch–dl, tensorflow–dl, dl–cv, dl–ml, nlp–dl, sql–analysis,
        // kubernetes–docker, live-commerce–operations (dl–cv is listed on both sides).
        #expect(model.relatedPairs.count == 9)
        // Post 2-02-38-04: Kubernetes 3/6, Docker 2/6, Go 1/6, scaled to unit length (÷ √14 / 6).
        let row = 3
        let norm = Float(14).squareRoot()
        #expect(abs(a[row, id("cloud.kubernetes")] - 3 / norm) < 1e-6)
        #expect(abs(a[row, id("cloud.docker")] - 2 / norm) < 1e-6)
        #expect(abs(a[row, id("prog.go")] - 1 / norm) < 1e-6)
        // Related pair rows: 1/√2 at both ends.
        let last = (0..<a.columns).map { a[a.rows - 1, $0] }.filter { $0 != 0 }
        #expect(last.count == 2 && last.allSatisfy { abs($0 - Float(0.5).squareRoot()) < 1e-6 })
    }

    @Test func embedIsTheWeightedSumOfLatentVectors() throws {
        let latent = try LatentSpace.build(model: model, rank: 5)
        var w = [Float](repeating: 0, count: model.dimension)
        w[2] = 0.5
        w[7] = 2
        let z = latent.embed(w)
        for r in 0..<latent.rank {
            #expect(abs(z[r] - (0.5 * latent.vectors[2, r] + 2 * latent.vectors[7, r])) < 1e-5)
        }
    }

    @Test func badRankIsATypedError() {
        #expect(throws: EmbeddingsError.self) { try LatentSpace.build(model: model, rank: 0) }
        do {
            _ = try LatentSpace.build(model: model, rank: 0)
        } catch {
            #expect(error.code == "embeddings.latent_space")
        }
    }
}

extension LatentSpaceTests {
    @Test func sparseEmbedEqualsTheDenseBLASProduct() throws {
        let latent = try LatentSpace.build(model: model, rank: 5)
        var dense = [Float](repeating: 0, count: model.dimension)
        dense[1] = 0.25
        dense[9] = 1.5
        dense[15] = 0.75
        let sparse = latent.embed(sparse: [(1, 0.25), (9, 1.5), (15, 0.75)])
        for (a, b) in zip(sparse, latent.embed(dense)) { #expect(abs(a - b) < 1e-5) }
    }
}
