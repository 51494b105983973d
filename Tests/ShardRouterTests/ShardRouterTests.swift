import Testing
@testable import ShardRouter
