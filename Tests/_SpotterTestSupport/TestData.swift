public enum TestData {}
