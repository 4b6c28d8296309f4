# Feasibility of an id index merged in bulk (issue 15, session 39; docs/benchmarks.md, "The 10 M-span file with random
# ids, measured"). Python's own sqlite3, no Zespan code: a WITHOUT ROWID index of N random 32-hex ids, then commits of
# 7,500 new random ids, each looked up (as a re-send check reads both levels) and inserted either into the large index
# or into a small "recent" table that is merged into the large one in one statement after COMMITS commits. Prints time
# and WAL pages per id. Usage: python3 bench/id-index-merge.py [N]; COMMITS=100 TABLES="recent" to merge larger batches.
# The database goes to /tmp/exp39/ids.db (about 470 MB at 10 M) and is reused between invocations.
import os, sqlite3, time, sys
os.makedirs('/tmp/exp39', exist_ok=True)
path = '/tmp/exp39/ids.db'
N = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
PER_COMMIT, COMMITS = 7_500, int(os.environ.get("COMMITS", "20"))
def connect():
    c = sqlite3.connect(path, isolation_level=None)
    c.execute('PRAGMA journal_mode=WAL'); c.execute('PRAGMA synchronous=FULL'); c.execute('PRAGMA cache_size=-65536')
    c.execute('PRAGMA wal_autocheckpoint=0')
    return c
def wal_pages():
    return os.path.getsize(path + '-wal') // (4096 + 24) if os.path.exists(path + '-wal') else 0
if not os.path.exists(path):
    c = connect()
    c.execute('CREATE TABLE big (project INTEGER NOT NULL, id TEXT NOT NULL, row INTEGER NOT NULL, PRIMARY KEY (project, id)) WITHOUT ROWID')
    c.execute('CREATE TABLE recent (project INTEGER NOT NULL, id TEXT NOT NULL, row INTEGER NOT NULL, PRIMARY KEY (project, id)) WITHOUT ROWID')
    t = time.time()
    step = 500_000
    for start in range(0, N, step):
        ids = sorted(os.urandom(16).hex() for _ in range(step))
        c.execute('BEGIN'); c.executemany('INSERT INTO big VALUES (1, ?, ?)', ((i, start + k) for k, i in enumerate(ids))); c.execute('COMMIT')
        c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    print(f'built {N:,} ids in {time.time() - t:.0f} s, {os.path.getsize(path) / 1e6:.0f} MB', flush=True)
    c.close()
def run(table):
    c = connect(); c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    total_t, total_pages = 0.0, 0
    for n in range(COMMITS):
        ids = [os.urandom(16).hex() for _ in range(PER_COMMIT)]
        before = wal_pages(); t = time.perf_counter()
        c.execute('BEGIN')
        for k, i in enumerate(ids):
            # a re-send is found by its id: both levels are read in the merged design
            c.execute('SELECT 1 FROM recent WHERE project = 1 AND id = ?', (i,)).fetchone()
            c.execute('SELECT 1 FROM big WHERE project = 1 AND id = ?', (i,)).fetchone()
            c.execute(f'INSERT INTO {table} VALUES (1, ?, ?)', (i, n * PER_COMMIT + k))
        c.execute('COMMIT')
        total_t += time.perf_counter() - t; total_pages += wal_pages() - before
        c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    print(f'{table}: {total_t * 1e6 / (COMMITS * PER_COMMIT):.1f} us per id (lookups + insert + commit), {total_pages / (COMMITS * PER_COMMIT):.2f} WAL pages per id', flush=True)
    if table == 'recent':
        t = time.perf_counter(); before = wal_pages()
        c.execute('BEGIN'); c.execute('INSERT INTO big SELECT * FROM recent ORDER BY project, id'); c.execute('DELETE FROM recent'); c.execute('COMMIT')
        dt = time.perf_counter() - t; pages = wal_pages() - before
        print(f'merge of {COMMITS * PER_COMMIT:,} ids: {dt:.2f} s, {dt * 1e6 / (COMMITS * PER_COMMIT):.1f} us and {pages / (COMMITS * PER_COMMIT):.2f} WAL pages per id', flush=True)
        c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    c.close()
[run(t) for t in os.environ.get("TABLES", "big recent big recent").split()]
