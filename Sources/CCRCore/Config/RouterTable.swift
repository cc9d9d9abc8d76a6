/// `Router`: which `provider,model` serves each scenario.
public struct RouterTable: Sendable, Equatable {
    public var defaultRoute: RouteTarget?
    public var background: RouteTarget?
    public var think: RouteTarget?
    public var longContext: RouteTarget?
    public var longContextThreshold: Int = 60_000
    public var webSearch: RouteTarget?
    public var image: RouteTarget?

    public init() {}
}
