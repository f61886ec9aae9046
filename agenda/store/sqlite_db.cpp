#include "agenda/store/sqlite_db.hpp"

#include <sqlite3.h>

#include <utility>

namespace bridgecast::agenda {

void StmtDeleter::operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }

std::string ColumnText(sqlite3_stmt* s, int column) {
  const auto* text = sqlite3_column_text(s, column);
  return text ? std::string(reinterpret_cast<const char*>(text),
                            static_cast<std::size_t>(sqlite3_column_bytes(s, column)))
              : std::string();
}

void BindText(sqlite3_stmt* s, int index, std::string_view text) {
  sqlite3_bind_text(s, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

Result<SqliteDb> SqliteDb::Open(const std::string& path, const char* schema, std::string error_code,
                                const std::string& what) {
  sqlite3* handle = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  SqliteDb db(handle, std::move(error_code));  // closes the handle on every path
  if (rc != SQLITE_OK) return db.Failure("cannot open " + what + " " + path);
  sqlite3_busy_timeout(handle, 5000);  // an operator or the CLI may be reading the file
  for (const char* sql :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON", schema}) {
    if (Status s = db.Exec(sql); !s) return s.error();
  }
  return db;
}

SqliteDb::~SqliteDb() { sqlite3_close(db_); }

SqliteDb::SqliteDb(SqliteDb&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), error_code_(std::move(other.error_code_)) {}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
  if (this != &other) {
    sqlite3_close(db_);
    db_ = std::exchange(other.db_, nullptr);
    error_code_ = std::move(other.error_code_);
  }
  return *this;
}

Status SqliteDb::Exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return Failure(sql);
  return Ok{};
}

Result<Stmt> SqliteDb::Prepare(const char* sql, const std::string& what) const {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &raw, nullptr) != SQLITE_OK) return Failure(what);
  return Stmt(raw);
}

Error SqliteDb::Failure(const std::string& what) const {
  return Error{error_code_, what + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory")};
}

}  // namespace bridgecast::agenda
