#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace bridgecast::agenda {

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const;
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

// The column as a string; NULL reads as empty.
std::string ColumnText(sqlite3_stmt* s, int column);
// Binds a copy: the caller's text may die before the statement steps.
void BindText(sqlite3_stmt* s, int index, std::string_view text);

// One open SQLite file, set up the way both stores need it (the journal and
// the archive index). Owns the handle; every failure carries the owner's
// error code.
class SqliteDb {
 public:
  // Opens (creating) `path` with a 5 s busy timeout (an operator or the CLI
  // may be reading the file), WAL, synchronous=FULL and foreign keys, then
  // runs `schema`. `what` names the file in errors ("journal").
  static Result<SqliteDb> Open(const std::string& path, const char* schema, std::string error_code,
                               const std::string& what);
  ~SqliteDb();
  SqliteDb(SqliteDb&& other) noexcept;
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  sqlite3* get() const { return db_; }
  Status Exec(const char* sql);
  // Fails with Failure(what).
  Result<Stmt> Prepare(const char* sql, const std::string& what) const;
  // The error code, `what` and SQLite's last message.
  Error Failure(const std::string& what) const;

 private:
  SqliteDb(sqlite3* db, std::string error_code) : db_(db), error_code_(std::move(error_code)) {}

  sqlite3* db_;
  std::string error_code_;
};

}  // namespace bridgecast::agenda
