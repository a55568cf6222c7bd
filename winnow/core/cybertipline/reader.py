"""The element readers: one method per schema type, turning the tree of a `<report>` or `<fileDetails>` document
into the dataclasses of `model`."""

from __future__ import annotations

from collections.abc import Mapping

from winnow.core.cybertipline.model import (
    AccountDisabled,
    Address,
    AssociatedAccount,
    DeviceId,
    Document,
    Email,
    EstimatedLocation,
    FileAnnotations,
    FileDetails,
    FileHash,
    InternetDetail,
    IpCaptureEvent,
    LawEnforcement,
    Person,
    PersonDetails,
    Phone,
    Report,
    ReportAnnotations,
    Reporter,
)
from winnow.core.cybertipline.values import _ValueReader
from winnow.core.cybertipline.vocabulary import (
    _DETAILS_TAG,
    CaptureEvent,
    FileRelevance,
    IncidentKind,
    IncidentType,
    IndustryClassification,
    PersonRole,
    _hash_type,
)
from winnow.core.cybertipline.xmltree import _Node

_HEX_LENGTHS: Mapping[str, int] = {"MD5": 32, "SHA1": 40, "SHA256": 64, "SHA384": 96, "SHA512": 128}


class _Reader(_ValueReader):
    """Turns the tree of one document into dataclasses; every error names this document and the element."""

    def email(self, node: _Node) -> Email:
        attrs = self.attributes(node, ("type", "verified", "verificationDate"))
        return Email(
            address=self.text(node),
            type=self.opt_attr(attrs, "type"),
            verified=self.opt_attr_bool(node, attrs, "verified"),
            verification_date=self.opt_attr_datetime(node, attrs, "verificationDate"),
        )

    def phone(self, node: _Node) -> Phone:
        attrs = self.attributes(
            node, ("type", "verified", "verificationDate", "countryCallingCode", "extension")
        )
        return Phone(
            number=self.text(node),
            type=self.opt_attr(attrs, "type"),
            verified=self.opt_attr_bool(node, attrs, "verified"),
            verification_date=self.opt_attr_datetime(node, attrs, "verificationDate"),
            country_calling_code=self.opt_attr(attrs, "countryCallingCode"),
            extension=self.opt_attr(attrs, "extension"),
        )

    def address(self, node: _Node) -> Address:
        attrs = self.attributes(node, ("type",))
        kids = self.children(
            node, dict.fromkeys(("address", "city", "zipCode", "state", "nonUsaState", "country"), False)
        )
        return Address(
            street=self.one(kids, "address", self.string),
            city=self.one(kids, "city", self.string),
            zip_code=self.one(kids, "zipCode", self.string),
            state=self.one(kids, "state", self.string),
            non_usa_state=self.one(kids, "nonUsaState", self.string),
            country=self.one(kids, "country", self.string),
            type=self.opt_attr(attrs, "type"),
        )

    def person_details(self, node: _Node) -> PersonDetails:
        self.attributes(node, ())
        kids = self.children(
            node,
            {"firstName": False, "lastName": False, "phone": True, "email": True, "address": True, "age": False,
             "dateOfBirth": False, "ageAssertionDiscrepancy": False},
        )  # fmt: skip
        return PersonDetails(
            first_name=self.one(kids, "firstName", self.string),
            last_name=self.one(kids, "lastName", self.string),
            phones=self.many(kids, "phone", self.phone),
            emails=self.many(kids, "email", self.email),
            addresses=self.many(kids, "address", self.address),
            age=self.one(kids, "age", lambda n: self.integer(n, 0, 150)),
            age_assertion_discrepancy=self.one(kids, "ageAssertionDiscrepancy", self.boolean),
            date_of_birth=self.one(kids, "dateOfBirth", self.day),
        )

    def ip_capture_event(self, node: _Node) -> IpCaptureEvent:
        self.attributes(node, ())
        kids = self.children(
            node, dict.fromkeys(("ipAddress", "eventName", "dateTime", "possibleProxy", "port"), False)
        )
        address = self.one(kids, "ipAddress", self.string)
        if not address:
            raise self.fail(node.path, "<ipCaptureEvent> without an <ipAddress>")
        return IpCaptureEvent(
            ip_address=address,
            event_name=self.one(kids, "eventName", lambda n: self.enum(n, CaptureEvent, "eventName")),
            date_time=self.one(kids, "dateTime", self.timestamp),
            possible_proxy=self.one(kids, "possibleProxy", self.boolean),
            port=self.one(kids, "port", lambda n: self.integer(n, 0, 65535)),
        )

    def device_id(self, node: _Node) -> DeviceId:
        self.attributes(node, ())
        kids = self.children(node, dict.fromkeys(("idType", "idValue", "eventName", "dateTime"), False))
        value = self.one(kids, "idValue", self.string)
        if not value:
            raise self.fail(node.path, "<deviceId> without an <idValue>")
        return DeviceId(
            id_type=self.one(kids, "idType", self.string),
            id_value=value,
            event_name=self.one(kids, "eventName", lambda n: self.enum(n, CaptureEvent, "eventName")),
            date_time=self.one(kids, "dateTime", self.timestamp),
        )

    def estimated_location(self, node: _Node) -> EstimatedLocation:
        attrs = self.attributes(node, ("verified", "timestamp"))
        kids = self.children(node, dict.fromkeys(("city", "region", "countryCode"), False))
        return EstimatedLocation(
            city=self.one(kids, "city", self.string),
            region=self.one(kids, "region", self.string),
            country_code=self.one(kids, "countryCode", self.string),
            verified=self.opt_attr_bool(node, attrs, "verified"),
            timestamp=self.opt_attr_datetime(node, attrs, "timestamp"),
        )

    def account_disabled(self, node: _Node) -> AccountDisabled:
        attrs = self.attributes(node, ("disabledDate", "userNotified", "userNotifiedDate", "reenabledDate"))
        return AccountDisabled(
            disabled=self.bool_value(self.text(node), node.path),
            disabled_date=self.opt_attr_datetime(node, attrs, "disabledDate"),
            user_notified=self.opt_attr_bool(node, attrs, "userNotified"),
            user_notified_date=self.opt_attr_datetime(node, attrs, "userNotifiedDate"),
            reenabled_date=self.opt_attr_datetime(node, attrs, "reenabledDate"),
        )

    def ct_report_id(self, node: _Node) -> int:
        return self.integer(node, 1, 2**63 - 1)

    def associated_account(self, node: _Node) -> AssociatedAccount:
        # the schema names the attribute `type`; public clients write `accountType`, and `thirdPartyUser` on the
        # account rather than on its <platform>
        attrs = self.attributes(node, ("type", "accountType", "thirdPartyUser"))
        kids = self.children(
            node,
            {"platform": False, "firstName": False, "middleName": False, "lastName": False, "approximateAge": False,
             "ageAssertionDiscrepancy": False,
             "dateOfBirth": False, "phone": True, "email": True, "allEmailsReported": False, "address": True,
             "espService": False, "espIdentifier": False, "profileUrl": True, "screenName": False,
             "displayName": True, "profileBio": False, "groupIdentifier": False, "compromisedAccount": False,
             "accountTemporarilyDisabled": False, "accountPermanentlyDisabled": False, "ipCaptureEvent": True,
             "deviceId": True, "priorCTReport": True, "priorCTReports": True, "additionalInfo": False},
        )  # fmt: skip
        platform_node = kids.get("platform", [None])[0]
        platform, third_party = None, None
        if platform_node is not None:
            platform_attrs = self.attributes(platform_node, ("thirdPartyUser",))
            platform = self.text(platform_node)
            third_party = self.opt_attr_bool(platform_node, platform_attrs, "thirdPartyUser")
        if third_party is None:
            third_party = self.opt_attr_bool(node, attrs, "thirdPartyUser")
        return AssociatedAccount(
            type=self.opt_attr(attrs, "type") or self.opt_attr(attrs, "accountType"),
            platform=platform,
            platform_third_party_user=third_party,
            first_name=self.one(kids, "firstName", self.string),
            middle_name=self.one(kids, "middleName", self.string),
            last_name=self.one(kids, "lastName", self.string),
            approximate_age=self.one(kids, "approximateAge", lambda n: self.integer(n, 0, 150)),
            age_assertion_discrepancy=self.one(kids, "ageAssertionDiscrepancy", self.boolean),
            date_of_birth=self.one(kids, "dateOfBirth", self.day),
            phones=self.many(kids, "phone", self.phone),
            emails=self.many(kids, "email", self.email),
            all_emails_reported=self.one(kids, "allEmailsReported", self.boolean),
            addresses=self.many(kids, "address", self.address),
            esp_service=self.one(kids, "espService", self.string),
            esp_identifier=self.one(kids, "espIdentifier", self.string),
            profile_urls=self.many(kids, "profileUrl", self.string),
            screen_name=self.one(kids, "screenName", self.string),
            display_names=self.many(kids, "displayName", self.string),
            profile_bio=self.one(kids, "profileBio", self.string),
            group_identifier=self.one(kids, "groupIdentifier", self.string),
            compromised_account=self.one(kids, "compromisedAccount", self.boolean),
            account_temporarily_disabled=self.one(kids, "accountTemporarilyDisabled", self.account_disabled),
            account_permanently_disabled=self.one(kids, "accountPermanentlyDisabled", self.account_disabled),
            ip_capture_events=self.many(kids, "ipCaptureEvent", self.ip_capture_event),
            device_ids=self.many(kids, "deviceId", self.device_id),
            # the schema spells it priorCTReport here and priorCTReports elsewhere; accept both
            prior_ct_reports=self.many(kids, "priorCTReport", self.ct_report_id)
            + self.many(kids, "priorCTReports", self.ct_report_id),
            additional_info=self.one(kids, "additionalInfo", self.string),
            source=node.path,
        )

    def person(self, node: _Node, role: PersonRole, report_platform: str | None) -> Person:
        self.attributes(node, ())
        spec = {
            _DETAILS_TAG[role]: False, "espIdentifier": False, "espService": False, "compromisedAccount": False,
            "screenName": False, "displayName": True, "profileUrl": True, "profileBio": False,
            "ipCaptureEvent": True, "deviceId": True, "priorCTReports": True, "groupIdentifier": False,
            "accountTemporarilyDisabled": False, "accountPermanentlyDisabled": False, "estimatedLocation": False,
            "allEmailsReported": False, "associatedAccount": True,
            # intendedRecipient's additionalInfo repeats in the schema; accepting repeats elsewhere costs nothing
            "additionalInfo": True,
        }  # fmt: skip
        if role is PersonRole.REPORTED:
            spec.update({"vehicleDescription": False, "thirdPartyUserReported": False})
        if role is PersonRole.VICTIM:
            spec["schoolName"] = False
        kids = self.children(node, spec)
        esp_service = self.one(kids, "espService", self.string)
        return Person(
            role=role,
            source=node.path,
            platform=esp_service or report_platform or "",
            details=self.one(kids, _DETAILS_TAG[role], self.person_details),
            vehicle_description=self.one(kids, "vehicleDescription", self.string),
            esp_identifier=self.one(kids, "espIdentifier", self.string),
            esp_service=esp_service,
            compromised_account=self.one(kids, "compromisedAccount", self.boolean),
            screen_name=self.one(kids, "screenName", self.string),
            display_names=self.many(kids, "displayName", self.string),
            profile_urls=self.many(kids, "profileUrl", self.string),
            profile_bio=self.one(kids, "profileBio", self.string),
            ip_capture_events=self.many(kids, "ipCaptureEvent", self.ip_capture_event),
            device_ids=self.many(kids, "deviceId", self.device_id),
            third_party_user_reported=self.one(kids, "thirdPartyUserReported", self.boolean),
            prior_ct_reports=self.many(kids, "priorCTReports", self.ct_report_id),
            group_identifier=self.one(kids, "groupIdentifier", self.string),
            account_temporarily_disabled=self.one(kids, "accountTemporarilyDisabled", self.account_disabled),
            account_permanently_disabled=self.one(kids, "accountPermanentlyDisabled", self.account_disabled),
            estimated_location=self.one(kids, "estimatedLocation", self.estimated_location),
            all_emails_reported=self.one(kids, "allEmailsReported", self.boolean),
            associated_accounts=self.many(kids, "associatedAccount", self.associated_account),
            school_name=self.one(kids, "schoolName", self.string),
            additional_info=self.many(kids, "additionalInfo", self.string),
        )

    def internet_detail(self, node: _Node) -> InternetDetail:
        self.attributes(node, ())
        kids = self.children(node, {kind.value: False for kind in IncidentKind})
        if len(kids) != 1:
            found = ", ".join(f"<{tag}>" for tag in kids) or "none"
            raise self.fail(
                node.path, f"<internetDetails> must hold exactly one incident subtype (found {found})"
            )
        tag, (sub,) = next(iter(kids.items()))
        kind = IncidentKind(tag)
        sub_attrs = self.attributes(sub, ("thirdPartyHostedContent",) if kind is IncidentKind.WEB_PAGE else ())
        specs: Mapping[IncidentKind, Mapping[str, bool]] = {
            IncidentKind.WEB_PAGE: {"url": True},
            IncidentKind.EMAIL: {"emailAddress": True, "content": False},
            IncidentKind.NEWSGROUP: {"name": False, "emailAddress": True, "content": False},
            IncidentKind.CHAT_IM: {"chatClient": False, "chatRoomName": False, "content": False},
            IncidentKind.ONLINE_GAMING: {"gameName": False, "console": False, "content": False},
            IncidentKind.CELL_PHONE: {"phoneNumber": False, "latitude": False, "longitude": False},
            IncidentKind.NON_INTERNET: {"locationName": False, "incidentAddress": True},
            IncidentKind.PEER_TO_PEER: {"client": False, "ipCaptureEvent": True, "fileNames": False},
        }
        sub_kids = self.children(sub, {**specs[kind], "additionalInfo": False})
        return InternetDetail(
            kind=kind,
            urls=self.many(sub_kids, "url", self.string),
            third_party_hosted_content=self.opt_attr_bool(sub, sub_attrs, "thirdPartyHostedContent"),
            email_addresses=self.many(sub_kids, "emailAddress", self.email),
            newsgroup_name=self.one(sub_kids, "name", self.string),
            content=self.one(sub_kids, "content", self.string),
            chat_client=self.one(sub_kids, "chatClient", self.string),
            chat_room_name=self.one(sub_kids, "chatRoomName", self.string),
            game_name=self.one(sub_kids, "gameName", self.string),
            console=self.one(sub_kids, "console", self.string),
            phone_number=self.one(sub_kids, "phoneNumber", self.phone),
            latitude=self.one(sub_kids, "latitude", lambda n: self.decimal(n, -90, 90)),
            longitude=self.one(sub_kids, "longitude", lambda n: self.decimal(n, -180, 180)),
            location_name=self.one(sub_kids, "locationName", self.string),
            incident_addresses=self.many(sub_kids, "incidentAddress", self.address),
            client=self.one(sub_kids, "client", self.string),
            ip_capture_events=self.many(sub_kids, "ipCaptureEvent", self.ip_capture_event),
            file_names=self.one(sub_kids, "fileNames", self.string),
            additional_info=self.one(sub_kids, "additionalInfo", self.string),
        )

    def law_enforcement(self, node: _Node) -> LawEnforcement:
        # the schema puts fleaCountry on servedLegalProcessInternational; public clients write it here too
        le_attrs = self.attributes(node, ("fleaCountry",))
        kids = self.children(
            node,
            dict.fromkeys(("agencyName", "caseNumber", "officerContact", "reportedToLe",
                           "servedLegalProcessDomestic", "servedLegalProcessInternational"), False),
        )  # fmt: skip
        international, flea_country = None, None
        if "servedLegalProcessInternational" in kids:
            slpi = kids["servedLegalProcessInternational"][0]
            attrs = self.attributes(slpi, ("fleaCountry",))
            international = self.bool_value(self.text(slpi), slpi.path)
            flea_country = self.opt_attr(attrs, "fleaCountry")
        flea_country = flea_country or self.opt_attr(le_attrs, "fleaCountry")
        return LawEnforcement(
            agency_name=self.one(kids, "agencyName", self.string),
            case_number=self.one(kids, "caseNumber", self.string),
            officer_contact=self.one(kids, "officerContact", self.person_details),
            reported_to_le=self.one(kids, "reportedToLe", self.boolean),
            served_legal_process_domestic=self.one(kids, "servedLegalProcessDomestic", self.boolean),
            served_legal_process_international=international,
            flea_country=flea_country,
        )

    def reporter(self, node: _Node) -> Reporter:
        self.attributes(node, ())
        kids = self.children(
            node, dict.fromkeys(("reportingPerson", "contactPerson", "companyTemplate", "termsOfService",
                                 "legalURL"), False)
        )  # fmt: skip
        return Reporter(
            reporting_person=self.one(kids, "reportingPerson", self.person_details),
            contact_person=self.one(kids, "contactPerson", self.person_details),
            company_template=self.one(kids, "companyTemplate", self.string),
            terms_of_service=self.one(kids, "termsOfService", self.string),
            legal_url=self.one(kids, "legalURL", self.string),
        )

    def report_annotations(self, node: _Node) -> ReportAnnotations:
        self.attributes(node, ())
        kids = self.children(
            node, dict.fromkeys(("sextortion", "csamSolicitation", "minorToMinorInteraction", "spam",
                                 "sadisticOnlineExploitation", "informational"), False)
        )  # fmt: skip
        return ReportAnnotations(
            sextortion=self.one(kids, "sextortion", self.flag),
            csam_solicitation=self.one(kids, "csamSolicitation", self.flag),
            minor_to_minor_interaction=self.one(kids, "minorToMinorInteraction", self.flag),
            spam=self.one(kids, "spam", self.flag),
            sadistic_online_exploitation=self.one(kids, "sadisticOnlineExploitation", self.flag),
            informational=self.one(kids, "informational", self.flag),
        )

    def report(self, root: _Node, document: Document) -> Report:
        self.attributes(root, ())
        kids = self.children(
            root,
            {"batchedReport": False, "incidentSummary": False, "internetDetails": True, "lawEnforcement": False,
             "reporter": False, "personOrUserReported": False, "intendedRecipient": True, "victim": True,
             "additionalInfo": False},
        )  # fmt: skip
        batched_reason = None
        if "batchedReport" in kids:
            batched = kids["batchedReport"][0]
            attrs = self.attributes(batched, ("reason",))
            self.children(batched, {})
            batched_reason = self.opt_attr(attrs, "reason") or ""
        summary: dict[str, list[_Node]] = {}
        if "incidentSummary" in kids:
            summary_node = kids["incidentSummary"][0]
            self.attributes(summary_node, ())
            summary = self.children(
                summary_node,
                dict.fromkeys(("incidentType", "platform", "escalateToHighPriority", "reportAnnotations",
                               "incidentDateTime", "incidentDateTimeDescription"), False),
            )  # fmt: skip
        platform = self.one(summary, "platform", self.string) or None
        escalation = self.one(summary, "escalateToHighPriority", self.string)
        return Report(
            document=document,
            incident_type=self.one(
                summary, "incidentType", lambda n: self.enum(n, IncidentType, "incidentType")
            ),
            platform=platform,
            escalate_to_high_priority=escalation,
            immediate_danger=bool(escalation),
            annotations=self.one(summary, "reportAnnotations", self.report_annotations),
            incident_time=self.one(summary, "incidentDateTime", self.timestamp),
            incident_time_description=self.one(summary, "incidentDateTimeDescription", self.string),
            batched_reason=batched_reason,
            internet_details=self.many(kids, "internetDetails", self.internet_detail),
            law_enforcement=self.one(kids, "lawEnforcement", self.law_enforcement),
            reporter=self.one(kids, "reporter", self.reporter),
            reported_person=self.one(
                kids, "personOrUserReported", lambda n: self.person(n, PersonRole.REPORTED, platform)
            ),
            intended_recipients=self.many(
                kids, "intendedRecipient", lambda n: self.person(n, PersonRole.INTENDED_RECIPIENT, platform)
            ),
            victims=self.many(kids, "victim", lambda n: self.person(n, PersonRole.VICTIM, platform)),
            additional_info=self.one(kids, "additionalInfo", self.string),
            warnings=self.finished_warnings(),
        )

    def file_hash(self, node: _Node) -> FileHash:
        attrs = self.attributes(node, ("hashType",))
        raw_type = self.opt_attr(attrs, "hashType")
        if not raw_type:
            raise self.fail(f"{node.path}/@hashType", "<originalFileHash> needs its hashType")
        hash_type = _hash_type(raw_type)
        value = self.text(node)
        length = _HEX_LENGTHS.get(hash_type)
        if length is not None:
            value = value.lower()
            if len(value) != length or not all(c in "0123456789abcdef" for c in value):
                raise self.fail(node.path, f"{value[:80]!r} is not a {raw_type} hash ({length} hex digits)")
        elif not value:
            raise self.fail(node.path, "empty hash value")
        return FileHash(hash_type=hash_type, value=value)

    def file_annotations(self, node: _Node) -> FileAnnotations:
        self.attributes(node, ())
        names = {
            "animeDrawingVirtualHentai": "anime_drawing_virtual_hentai", "potentialMeme": "potential_meme",
            "viral": "viral", "possibleSelfProduction": "possible_self_production", "physicalHarm": "physical_harm",
            "violenceGore": "violence_gore", "bestiality": "bestiality", "liveStreaming": "live_streaming",
            "infant": "infant", "generativeAi": "generative_ai",
        }  # fmt: skip
        kids = self.children(node, dict.fromkeys(names, False))
        values: dict[str, bool | None] = {
            attr: self.one(kids, tag, self.flag) for tag, attr in names.items()
        }
        return FileAnnotations(**values)

    def name_value_pairs(self, node: _Node) -> tuple[str | None, tuple[tuple[str | None, str | None], ...]]:
        details_type = self.opt_attr(self.attributes(node, ("type",)), "type")
        kids = self.children(node, {"nameValuePair": True})
        pairs = []
        for pair in kids.get("nameValuePair", ()):
            self.attributes(pair, ("type",))
            parts = self.children(pair, {"name": False, "value": False})
            pairs.append((self.one(parts, "name", self.string), self.one(parts, "value", self.string)))
        return details_type, tuple(pairs)

    def file_details(self, root: _Node, document: Document) -> FileDetails:
        self.attributes(root, ())
        kids = self.children(
            root,
            {"reportId": False, "fileId": False, "fileName": False, "originalFileName": False,
             "uploadedToEspTimestamp": False, "locationOfFile": False, "fileViewedByEsp": False,
             "exifViewedByEsp": False, "publiclyAvailable": False, "fileRelevance": False, "potentialMeme": False,
             "fileAnnotations": False, "industryClassification": False, "originalFileHash": True,
             "ipCaptureEvent": True, "deviceId": True, "details": True, "additionalInfo": True},
        )  # fmt: skip
        details: list[tuple[str | None, str | None]] = []
        detail_types: list[str | None] = []
        for details_type, group in self.many(kids, "details", self.name_value_pairs):
            details.extend(group)
            detail_types.extend([details_type] * len(group))
        return FileDetails(
            document=document,
            report_id=self.one(kids, "reportId", self.ct_report_id),
            file_id=self.one(kids, "fileId", self.string),
            file_name=self.one(kids, "fileName", self.string),
            original_file_name=self.one(kids, "originalFileName", self.string),
            uploaded_to_esp_timestamp=self.one(kids, "uploadedToEspTimestamp", self.timestamp),
            location_of_file=self.one(kids, "locationOfFile", self.string),
            file_viewed_by_esp=self.one(kids, "fileViewedByEsp", self.boolean),
            exif_viewed_by_esp=self.one(kids, "exifViewedByEsp", self.boolean),
            publicly_available=self.one(kids, "publiclyAvailable", self.boolean),
            file_relevance=self.one(
                kids, "fileRelevance", lambda n: self.enum(n, FileRelevance, "fileRelevance")
            ),
            potential_meme=self.one(kids, "potentialMeme", self.boolean),
            annotations=self.one(kids, "fileAnnotations", self.file_annotations),
            industry_classification=self.one(
                kids,
                "industryClassification",
                lambda n: self.enum(n, IndustryClassification, "industryClassification"),
            ),
            hashes=self.many(kids, "originalFileHash", self.file_hash),
            ip_capture_events=self.many(kids, "ipCaptureEvent", self.ip_capture_event),
            device_ids=self.many(kids, "deviceId", self.device_id),
            details=tuple(details),
            additional_info=self.many(kids, "additionalInfo", self.string),
            detail_types=tuple(detail_types),
            warnings=self.finished_warnings(),
        )
