public enum ShardRouter {}
