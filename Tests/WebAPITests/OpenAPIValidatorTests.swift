import Foundation
import TestSupport
import Testing
import WebAPI

/// The schema validator the API tests rely on: it must reject wrong answers, or the other tests prove nothing.
@Suite struct OpenAPIValidatorTests {
    static let goodStatus =
        #"{"name":"cam","url":"x","live":true,"model":"m","state":"connected","since":1.5,"message":null,"#
        + #""frames":{"decoded":1,"inferred":1,"dropped":0,"gated":0,"written":1},"inputFps":25,"outputFps":24.5,"lastFrameTime":null,"error":null}"#

    @Test func acceptsAConformingAnswer() throws {
        try openAPI.validate(
            method: "GET", path: "/api/v1/streams/cam", status: 200, contentType: "application/json", body: Array(Self.goodStatus.utf8))
        try openAPI.validate(
            method: "GET", path: "/api/v1/streams", status: 200, contentType: "application/json",
            body: Array(#"{"streams":[\#(Self.goodStatus)]}"#.utf8))
    }

    /// Each of these breaks the StreamStatus schema in one way.
    @Test(arguments: [
        ("missing required", Self.goodStatus.replacingOccurrences(of: #""live":true,"#, with: "")),
        ("extra property", Self.goodStatus.replacingOccurrences(of: #""live":true,"#, with: #""live":true,"extra":1,"#)),
        ("wrong type", Self.goodStatus.replacingOccurrences(of: #""live":true"#, with: #""live":"yes""#)),
        ("integer expected", Self.goodStatus.replacingOccurrences(of: #""decoded":1,"#, with: #""decoded":1.5,"#)),
        ("not in enum", Self.goodStatus.replacingOccurrences(of: #""state":"connected""#, with: #""state":"running""#)),
        ("below minimum", Self.goodStatus.replacingOccurrences(of: #""dropped":0"#, with: #""dropped":-1"#)),
        ("null not allowed", Self.goodStatus.replacingOccurrences(of: #""url":"x""#, with: #""url":null"#)),
        ("nested extra", Self.goodStatus.replacingOccurrences(of: #""written":1}"#, with: #""written":1,"lost":2}"#)),
        ("not JSON", "{"),
    ])
    func rejectsAWrongAnswer(problem: String, body: String) {
        #expect(throws: OpenAPIValidator.Problem.self, "\(problem)") {
            try openAPI.validate(method: "GET", path: "/api/v1/streams/cam", status: 200, contentType: "application/json", body: Array(body.utf8))
        }
    }

    @Test func oneOfNeedsExactlyOneMatch() throws {
        let track =
            #"{"v":1,"kind":"track","stream":"s","event":"start","track":1,"label":"person","class":1,"firstPts":0,"lastPts":0,"#
            + #""firstFrame":0,"lastFrame":1,"frames":2,"bestScore":0.9,"time":1}"#
        let event =
            #"{"v":1,"kind":"event","stream":"s","event":"enter","zone":"z","track":1,"label":"person","frame":3,"pts":null,"time":1,"box":[1,2,3,4]}"#
        let path = "/api/v1/events"
        try openAPI.validate(
            method: "GET", path: path, status: 200, contentType: "application/json", body: Array(#"{"events":[\#(track),\#(event)]}"#.utf8))
        let neither = event.replacingOccurrences(of: #""kind":"event""#, with: #""kind":"frame""#)
        #expect(throws: OpenAPIValidator.Problem.self) {
            try openAPI.validate(
                method: "GET", path: path, status: 200, contentType: "application/json", body: Array(#"{"events":[\#(neither)]}"#.utf8))
        }
        let shortBox = event.replacingOccurrences(of: "[1,2,3,4]", with: "[1,2,3]")
        #expect(throws: OpenAPIValidator.Problem.self) {
            try openAPI.validate(
                method: "GET", path: path, status: 200, contentType: "application/json", body: Array(#"{"events":[\#(shortBox)]}"#.utf8))
        }
    }

    @Test func undocumentedStatusesPathsAndContentTypesAreRejected() {
        #expect(throws: OpenAPIValidator.Problem.self) {
            try openAPI.validate(method: "GET", path: "/api/v1/streams", status: 418, contentType: "application/json", body: Array("{}".utf8))
        }
        #expect(throws: OpenAPIValidator.Problem.self) {
            try openAPI.validate(method: "GET", path: "/api/v1/nothing", status: 200, contentType: "application/json", body: Array("{}".utf8))
        }
        #expect(throws: OpenAPIValidator.Problem.self) {
            try openAPI.validate(method: "GET", path: "/api/v1/streams", status: 200, contentType: "text/plain", body: Array("{}".utf8))
        }
        #expect(throws: OpenAPIValidator.Problem.self) {
            try openAPI.validate(method: "POST", path: "/api/v1/streams", status: 200, contentType: "application/json", body: Array("{}".utf8))
        }
    }

    @Test func unknownSchemaKeywordsFailLoudly() throws {
        let validator = try OpenAPIValidator(
            document: Array(#"{"openapi":"3.0.3","components":{"schemas":{"A":{"type":"string","pattern":"x"}}}}"#.utf8))
        #expect(throws: OpenAPIValidator.Problem.self) { try validator.validate(.string("y"), component: "A") }
    }

    @Test func templatesMatchLiteralsFirst() {
        #expect(openAPI.template(matching: "/api/v1/streams/cam") == "/api/v1/streams/{name}")
        #expect(openAPI.template(matching: "/api/v1/streams/cam/latest.jpg") == "/api/v1/streams/{name}/latest.jpg")
        #expect(openAPI.template(matching: "/api/v1/streams") == "/api/v1/streams")
        #expect(openAPI.template(matching: "/") == "/")
    }

    @Test func documentHasSecuritySchemesAndClosedRecordSchemas() throws {
        let schemes = openAPI.document["components"]?["securitySchemes"]?.objectValue
        #expect(schemes?["bearerAuth"]?["scheme"] == .string("bearer"))
        #expect(schemes?["accessToken"]?["name"] == .string("access_token"))
        for name in ["StreamStatus", "TrackRecord", "EventRecord", "StreamRecord", "FrameRecord", "Error", "EventList"] {
            #expect(openAPI.document["components"]?["schemas"]?[name]?["additionalProperties"] == .bool(false), "\(name)")
        }
    }
}
