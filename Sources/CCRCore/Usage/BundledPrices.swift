import Foundation

/// `Resources/prices.json`, found like the tokenizer's vocabulary (``CCRResources``) and read once.
enum BundledPrices {
    static let fileName = "prices.json"

    static let entries: [PriceTable.Entry] = {
        guard case .found(let path) = CCRResources.locate(fileName: Self.fileName),
            let data = FileManager.default.contents(atPath: path),
            let value = try? JSONParser.parse(Array(data))
        else { return [] }
        return PriceTable.entries(fromPricesFile: value)
    }()
}
