using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Zespan.Security.Tests.Infrastructure;

/// <summary>
/// The server's error-level log entries with their exceptions, so a test that sees a 5xx can say why (the problem
/// details a client gets carry only a trace id).
/// </summary>
public sealed class ServerErrorLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyCollection<string> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(ServerErrorLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                log._entries.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
