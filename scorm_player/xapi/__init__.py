"""The SCORM → xAPI mapping (ADL xAPI SCORM Profile): statements and State documents from CMI data."""
