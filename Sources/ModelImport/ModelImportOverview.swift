// ModelImport: converters from foreign model files to ssdd's native model file (see ModelStore.ModelFile).
//
// Only `ssdd model import` uses this module; the runtime loads native files. Entry points: `importModel(from:to:labels:)`
// (dispatch on the file kind, then write) and `importTensorFlowGraph(at:labels:)`. TensorFlow/ holds the frozen-graph
// importer and the generated protobuf types (scripts/generate-protos.sh); Caffe/ the Caffe SSD importer
// (`importCaffeModel(prototxt:weights:labels:overrides:)`, its caffe.proto subset generated the same way). All errors
// are `ModelImportError`.
