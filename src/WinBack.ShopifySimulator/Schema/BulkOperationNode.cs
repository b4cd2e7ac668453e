using WinBack.ShopifySimulator.Bulk;
using WinBack.ShopifySimulator.GraphQL;
using WinBack.ShopifySimulator.Store;

namespace WinBack.ShopifySimulator.Schema;

public sealed class BulkOperationNode(SimulatedBulkOperation operation, BulkOperationRunner runner) : IGraphNode
{
    public string TypeName => "BulkOperation";

    public object? Resolve(string field, FieldArguments arguments, GraphQL.ExecutionContext context) => field switch
    {
        "id" => operation.Gid,
        "status" => runner.StatusOf(operation),
        "errorCode" => operation.ErrorCode,
        "type" => "QUERY",
        "query" => operation.Query,
        "createdAt" => ShopifyScalars.DateTime(operation.CreatedAt),
        "completedAt" => ShopifyScalars.DateTime(operation.CompletedAt),
        "objectCount" => ShopifyScalars.UnsignedInt64(operation.ObjectCount),
        "rootObjectCount" => ShopifyScalars.UnsignedInt64(operation.RootObjectCount),
        "fileSize" => operation.FilePath is null ? null : ShopifyScalars.UnsignedInt64(operation.FileSize),
        "url" => runner.StatusOf(operation) == "COMPLETED" && operation.ObjectCount > 0 ? runner.DownloadUrl(operation, context.Shop).ToString() : null,
        "partialDataUrl" => runner.StatusOf(operation) == "FAILED" && operation.ObjectCount > 0 ? runner.DownloadUrl(operation, context.Shop).ToString() : null,
        _ => throw new UndefinedFieldException(TypeName, field),
    };
}
