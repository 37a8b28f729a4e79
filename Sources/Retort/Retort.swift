// The umbrella module that applications import.
@_exported import RetortCore
@_exported import RetortORM
