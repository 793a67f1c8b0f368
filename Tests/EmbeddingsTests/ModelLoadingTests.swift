import Embeddings
import Testing
