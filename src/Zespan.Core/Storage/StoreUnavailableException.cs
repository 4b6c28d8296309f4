namespace Zespan.Core.Storage;

/// <summary>
/// The store did not answer: no node could be reached, or the store stopped the statement at one of its limits (time,
/// memory, statements at once). Nothing is wrong with the request; the server answers 503 with Retry-After rather
/// than 500, and the message (which may name the store's internals) goes to the log, not to the client.
/// </summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
