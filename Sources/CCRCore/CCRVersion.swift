/// The version of ccr.
public enum CCRVersion {
    public static let string = "0.1.0"
}
