/// Files shipped inside the binary (SwiftPM's `embedInCode`): no resource bundle to install beside it.
public enum EmbeddedResources {
    /// The live page (`GET /`).
    public static var page: [UInt8] { PackageResources.index_html }
    /// The OpenAPI 3 document of the API (`GET /api/v1/openapi.json`); the file is `Sources/WebAPI/Resources/openapi.json`.
    public static var openAPIDocument: [UInt8] { PackageResources.openapi_json }
}
