// MariaDB Connector/C's public header: Debian's libmariadb-dev installs it under
// mariadb/, Homebrew's mariadb-connector-c under its prefix.
#if __has_include(<mariadb/mysql.h>)
#include <mariadb/mysql.h>
#elif __has_include("/opt/homebrew/include/mariadb/mysql.h")
#include "/opt/homebrew/include/mariadb/mysql.h"
#elif __has_include("/usr/local/include/mariadb/mysql.h")
#include "/usr/local/include/mariadb/mysql.h"
#else
#error "MariaDB Connector/C's header mariadb/mysql.h was not found: install libmariadb-dev (Debian) or mariadb-connector-c (Homebrew)"
#endif
