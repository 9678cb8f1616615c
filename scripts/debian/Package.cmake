# SPDX-License-Identifier: GPL-3.0-or-later
# The Debian package (CPack's DEB generator): every install() rule of the project, nothing filtered
# by component, staged under /usr with DESTDIR so that the rules with absolute folders (/etc/janus)
# land where Debian's Janus looks. scripts/package.sh runs it; docs/package.md describes the result.
set(HIPAA_DEB_MAINTAINER "janus-hipaa maintainers <janus-hipaa@example.org>"
    CACHE STRING "Maintainer field of the Debian package (Name <address>)")
set(HIPAA_DEB_RELEASE "1" CACHE STRING "Debian revision of the package (0.1.0-<this>)")

# Debian wants these next to the files: the machine-readable copyright and a changelog.
set(hipaa_deb_dir ${CMAKE_CURRENT_BINARY_DIR}/debian)
string(TIMESTAMP hipaa_deb_date "%a, %d %b %Y %H:%M:%S +0000" UTC)  # honours SOURCE_DATE_EPOCH
file(WRITE ${hipaa_deb_dir}/changelog.Debian
  "janus-hipaa (${PROJECT_VERSION}-${HIPAA_DEB_RELEASE}) bookworm; urgency=medium\n\n"
  "  * Built from the janus-hipaa source tree, version ${PROJECT_VERSION}.\n\n"
  " -- ${HIPAA_DEB_MAINTAINER}  ${hipaa_deb_date}\n")
execute_process(COMMAND gzip -9nc ${hipaa_deb_dir}/changelog.Debian
                OUTPUT_FILE ${hipaa_deb_dir}/changelog.Debian.gz COMMAND_ERROR_IS_FATAL ANY)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/copyright ${hipaa_deb_dir}/changelog.Debian.gz
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/janus-hipaa)
# The lintian tags this package earns on purpose, each with its reason.
install(FILES ${CMAKE_CURRENT_LIST_DIR}/lintian-overrides
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides RENAME janus-hipaa)

# Every file under /etc is a conffile: dpkg keeps an admin's change to a sample and never touches
# the admin's own .jcfg files (the package does not ship them).
set(hipaa_conffiles "")
foreach(f ${HIPAA_SAMPLE_CONFIGS})
  get_filename_component(n ${f} NAME)
  string(APPEND hipaa_conffiles "/etc/janus/${n}\n")
endforeach()
string(APPEND hipaa_conffiles "/etc/janus/janus.eventhandler.hipaa.audit.policy.jcfg.sample\n")
file(WRITE ${hipaa_deb_dir}/conffiles "${hipaa_conffiles}")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME janus-hipaa)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_PACKAGE_RELEASE ${HIPAA_DEB_RELEASE})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # janus-hipaa_0.1.0-1_amd64.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${HIPAA_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION comm)  # as Debian's janus
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "HIPAA telehealth plugins for the Janus WebRTC Server
Four modules for Debian's Janus 1.1: consult rooms with signed join tokens
and a waiting room (janus.plugin.hipaa.room), an encrypted recorder
(janus.plugin.hipaa.recorder), a PHI-scrubbed tamper-evident audit trail in
PostgreSQL (janus.eventhandler.hipaa.audit) and FHIR R4 export to an EHR
(janus.eventhandler.hipaa.fhir). Ships sample configs in /etc/janus, the SQL
migrations, the offline audit verifier and recording tool, and a sandboxing
drop-in for janus.service.")
# Shared libraries from dpkg-shlibdeps; Janus provides the symbols the modules leave undefined.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "janus (>= 1.1)")
# janus-hipaa-migrate and janus-hipaa-db-login run psql and openssl.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql-client, openssl")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  "${hipaa_deb_dir}/conffiles;${CMAKE_CURRENT_LIST_DIR}/postinst;${CMAKE_CURRENT_LIST_DIR}/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CHECKSUM SHA256)
include(CPack)
